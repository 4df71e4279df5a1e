package dev.crosschain.liquidation.app;

import dev.crosschain.liquidation.client.DependencyException;
import dev.crosschain.liquidation.client.MarginClient;
import dev.crosschain.liquidation.domain.Halts;
import dev.crosschain.liquidation.domain.LotItem;
import dev.crosschain.liquidation.domain.Underlyings;
import io.grpc.Status;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Whether a new auction may open for an account now: not while an operator halt of level NO_NEW_AUCTIONS or
 * above covers it (globally or an underlying its lot touches, see {@link Underlyings}), nor while an index circuit
 * breaker is tripped for an underlying its lot touches ({@link IndexBreakers}).
 */
@ApplicationScoped
public class NewAuctionGate {

    private final OperatorHalts halts;
    private final MarginClient margin;
    private final IndexBreakers breakers;
    private final LotUnderlyings underlyings;

    public NewAuctionGate(OperatorHalts halts, MarginClient margin, IndexBreakers breakers, LotUnderlyings underlyings) {
        this.halts = halts;
        this.underlyings = underlyings;
        this.margin = margin;
        this.breakers = breakers;
    }

    /**
     * Why an account must wait before it is claimed, if it must. Reads the account's view only while some hold is
     * scoped to underlyings (a halt, or a breaker tripped for an underlying pricing-service sent). When the view cannot
     * be read the account waits unclaimed (margin-service does not know it: the claim goes on and is cancelled); when
     * the lot touches an underlying pricing-service never sent, the claim goes on and {@link #hold} is asked again
     * with the snapshot taken before the open.
     */
    public Optional<String> beforeClaim(String accountId) {
        Halts current = halts.current();
        if (!current.strongest().stopsNewAuctions() && breakers.trips().isEmpty()) {
            return Optional.empty();
        }
        if (current.global().stopsNewAuctions() || breakers.trippedForEvery()) {
            return hold(List.of());
        }
        try {
            return hold(margin.accountSnapshot(accountId).lot());
        } catch (DependencyException e) {
            if (e.code() == Status.Code.NOT_FOUND) {
                // claimed, then cancelled UNKNOWN_ACCOUNT by the driver
                return Optional.empty();
            }
            // a claim now could only wait OPENING, frozen, behind the hold; unclaimed it costs nothing to retry
            return Optional.of("its view cannot be read to judge the holds in force (" + e.getMessage() + ")");
        }
    }

    /** Why an auction of a lot touching these underlyings must not open now, if it must not. */
    public Optional<String> hold(List<LotItem> lot) {
        Set<String> touched = underlyings.of(lot);
        return halts.current().covering(touched).filter(h -> h.level().stopsNewAuctions())
                .map(h -> "halt " + h.scope() + " " + h.level() + " (by " + h.changedBy() + ": " + h.reason() + ")")
                .or(() -> breakers.tripped(touched).map(t -> "breaker " + t.underlying() + " " + t.kind() + " (" + t.detail() + ")"));
    }
}
