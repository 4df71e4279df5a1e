package dev.crosschain.margin.domain.history;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;

/**
 * The ES figure of one account's book, or why there is none. USD figures are rounded up to the cent at the
 * service's USD scale (a requirement is never rounded down).
 *
 * @param loss        the ES of the book's losses over the historical scenarios, before the APC ratio; null when
 *                    unavailable
 * @param asOf        the scenarios' as-of date (the last date every used history has); null when unavailable
 * @param apcRatio    what {@code loss} was multiplied by, >= 1 (1 without APC); 0 when unavailable
 * @param requirement {@code loss x apcRatio}, the ES model's MM; null when unavailable
 * @param excluded    underlyings of the book outside the model (no history covering the look-back), in name order
 */
public record ShortfallResult(BigDecimal loss, LocalDate asOf, double apcRatio, BigDecimal requirement,
                              List<String> excluded) {

    public ShortfallResult {
        excluded = List.copyOf(excluded);
    }

    /** No ES figure for a book of {@code underlyings}: every one of them is outside the model. */
    public static ShortfallResult unavailable(List<String> underlyings) {
        return new ShortfallResult(null, null, 0, null, underlyings.stream().sorted().distinct().toList());
    }

    public boolean available() {
        return requirement != null;
    }
}
