package dev.crosschain.benchmarks;

import dev.crosschain.pricing.domain.BookPosition;
import dev.crosschain.pricing.domain.IndexLevel;
import dev.crosschain.pricing.domain.Instrument;
import dev.crosschain.pricing.domain.MarketSnapshot;
import dev.crosschain.pricing.domain.OptionType;
import dev.crosschain.pricing.domain.Scenario;
import dev.crosschain.pricing.domain.SviParameters;
import dev.crosschain.pricing.domain.SviSlice;
import dev.crosschain.pricing.domain.VolSurface;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The RevalueBook case: 200 positions on BTC and ETH (per underlying 96 options over 4 expiries x 12
 * strikes x call/put, plus spot, a perpetual and 2 futures) under 35 scenarios (7 joint spot moves of -16% to
 * +16% x 5 vol shifts of -10 to +10 points, with a skew shift of minus half the vol shift). The surface of each
 * underlying is skewed SVI with total variance T v(k), so every expiry has the same smile in vol and no calendar
 * arbitrage. dev.crosschain.suite.bench.RevalueLoad sends the same book over gRPC: change both together.
 */
final class RevalueBookFixture {

    static final int[] EXPIRY_DAYS = {7, 28, 91, 182};
    static final int STRIKES_PER_EXPIRY = 12;
    static final int SCENARIOS = 35;
    /** 2 underlyings x 4 expiries x 12 strikes x call and put. */
    static final int OPTIONS = 192;

    /** Fixed, so that runs compare; expiries are whole days after it, at 08:00 UTC. */
    static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

    record Underlying(String symbol, double index, double atmVol) {
    }

    static final List<Underlying> UNDERLYINGS = List.of(new Underlying("BTC", 60_000, 0.55), new Underlying("ETH", 3_000, 0.70));

    // Smile v(k) = atm^2 + BETA (RHO k + sqrt(k^2 + SIGMA^2) - SIGMA): put skew, about +17 vol points at k = -0.5.
    static final double BETA = 0.4;
    static final double RHO = -0.35;
    static final double SIGMA = 0.15;

    final List<BookPosition> book = new ArrayList<>();
    final List<Scenario> scenarios = new ArrayList<>();
    final MarketSnapshot market;

    RevalueBookFixture() {
        LocalDate today = LocalDate.ofInstant(NOW, ZoneOffset.UTC);
        Map<String, IndexLevel> indices = new java.util.HashMap<>();
        Map<String, VolSurface> surfaces = new java.util.HashMap<>();
        for (Underlying u : UNDERLYINGS) {
            indices.put(u.symbol(), new IndexLevel(u.symbol(), BigDecimal.valueOf(u.index()), NOW, false, List.of("bench"), List.of()));
            List<SviSlice> slices = new ArrayList<>();
            for (int days : EXPIRY_DAYS) {
                LocalDate date = today.plusDays(days);
                Instant expiry = date.atTime(8, 0).toInstant(ZoneOffset.UTC);
                double years = (expiry.toEpochMilli() - NOW.toEpochMilli()) / 1000.0 / (365.0 * 86_400.0);
                slices.add(new SviSlice(date, expiry, years, u.index(), svi(u.atmVol(), years), 0.0, STRIKES_PER_EXPIRY));
            }
            surfaces.put(u.symbol(), new VolSurface(u.symbol(), 1, NOW, false, slices));
            addPositions(u, today);
        }
        market = new MarketSnapshot(indices, surfaces, NOW, 0.0);
        for (int v = 0; v < 5; v++) {
            double volShift = -0.10 + 0.05 * v;
            for (int s = 0; s < 7; s++) {
                double move = -0.16 + s * (0.32 / 6);
                scenarios.add(new Scenario("s" + s + "v" + v, Map.of("BTC", move, "ETH", move), volShift, -volShift / 2));
            }
        }
    }

    /** w(k) = T v(k) in raw SVI: a = T (atm^2 - BETA SIGMA), b = T BETA. */
    static SviParameters svi(double atmVol, double years) {
        return new SviParameters(years * (atmVol * atmVol - BETA * SIGMA), years * BETA, RHO, 0.0, SIGMA);
    }

    private void addPositions(Underlying u, LocalDate today) {
        String s = u.symbol();
        int i = book.size();
        for (int days : EXPIRY_DAYS) {
            LocalDate date = today.plusDays(days);
            for (int j = 0; j < STRIKES_PER_EXPIRY; j++) {
                BigDecimal strike = BigDecimal.valueOf(strike(u.index(), j));
                book.add(new BookPosition(new Instrument.Option(s, date, strike, OptionType.CALL), quantity(i++)));
                book.add(new BookPosition(new Instrument.Option(s, date, strike, OptionType.PUT), quantity(i++)));
            }
        }
        book.add(new BookPosition(new Instrument.Spot(s), quantity(i++)));
        book.add(new BookPosition(new Instrument.Perpetual(s), quantity(i++)));
        book.add(new BookPosition(new Instrument.Future(s, today.plusDays(EXPIRY_DAYS[1])), quantity(i++)));
        book.add(new BookPosition(new Instrument.Future(s, today.plusDays(EXPIRY_DAYS[2])), quantity(i++)));
    }

    /** Log-moneyness -0.33 to +0.33 in 12 steps, rounded to a whole USD. */
    static long strike(double index, int j) {
        return Math.round(index * Math.exp(-0.33 + 0.06 * j));
    }

    /** Long and short, -5 to +5 contracts, never 0. */
    static double quantity(int i) {
        int q = (i * 7) % 11 - 5;
        return q == 0 ? 1 : q;
    }
}
