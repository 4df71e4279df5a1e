package dev.crosschain.margin.domain.history;

import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replays the real crash of 2020-03-12 (BTC -37%, ETH -42% in a day) through the daily ES requirement of
 * a long BTC perp and a long ETH perp, and measures the peak 5-day rise of the requirement with and without
 * the anti-procyclicality tools. Each book is USD 1M of notional re-struck every day (P&L = notional x
 * move), so the series is the model's own reaction, not the shrinking notional of a falling position; the
 * account holds its requirement throughout (no breach), so the rise cap applies every day.
 */
class CrashReplayTest {

    static final LocalDate FROM = LocalDate.of(2019, 12, 1);
    static final LocalDate TO = LocalDate.of(2020, 4, 30);
    static final LocalDate CRASH = LocalDate.of(2020, 3, 12);
    static final int RISE_WINDOW_DAYS = 5;
    static final double NOTIONAL = 1_000_000;

    @Test
    void apcLowersThePeakFiveDayRiseOfALongBtcPerp() {
        replayAndCheck("BTC", HistoryFixtures.btc());
    }

    @Test
    void apcLowersThePeakFiveDayRiseOfALongEthPerp() {
        replayAndCheck("ETH", HistoryFixtures.eth());
    }

    /**
     * The same replay for an account levered 4x (equity USD 250k on 1M of BTC on 2019-12-01, then its daily
     * P&L): the crash takes its equity below the model's requirement, the cap is lifted from that day on,
     * and the APC figure is never below the model's while the account is in breach.
     */
    @Test
    void theRiseCapIsLiftedForAnAccountInBreach() {
        HistoricalSimulation model = HistoricalSimulation.DEFAULT;
        PriceHistory btc = HistoryFixtures.btc();
        Replay calm = replay(model, "BTC", btc, Procyclicality.DEFAULT);
        int days = calm.raw().length;
        boolean[] breach = new boolean[days];
        double equity = 250_000;
        int firstBreach = -1;
        for (int t = 0; t < days; t++) {
            if (t > 0) {
                equity += NOTIONAL * btc.move(day(t), 1);
            }
            breach[t] = equity < calm.raw()[t];
            if (breach[t] && firstBreach < 0) {
                firstBreach = t;
            }
        }
        double[] apc = Procyclicality.DEFAULT.apply(calm.raw(), calm.stressed(), breach);
        Procyclicality.PeakRise rise = Procyclicality.peakRise(apc, RISE_WINDOW_DAYS);
        System.out.printf("crash replay, long BTC perp USD 1M on USD 250k equity: first breach %s; peak %d-day rise with APC"
                        + " %+.1f%% (cap lifted in breach), without %+.1f%%, APC for an account not in breach %+.1f%%%n",
                firstBreach < 0 ? "none" : day(firstBreach), RISE_WINDOW_DAYS, rise.rise() * 100,
                calm.rawRise().rise() * 100, calm.apcRise().rise() * 100);
        assertThat(firstBreach).isEqualTo((int) (CRASH.toEpochDay() - FROM.toEpochDay()));
        for (int t = 0; t < days; t++) {
            if (breach[t]) {
                assertThat(apc[t]).isGreaterThanOrEqualTo(calm.raw()[t]);
            }
        }
    }

    private static void replayAndCheck(String underlying, PriceHistory history) {
        for (int holdingDays : new int[]{1, 2}) {
            HistoricalSimulation model = new HistoricalSimulation(ExpectedShortfall.DEFAULT, 365, holdingDays);
            Replay r = replay(model, underlying, history, Procyclicality.DEFAULT);
            r.print();
            assertThat(r.apcRise.rise()).as("%s h=%d: APC peak rise below the raw model's", underlying, holdingDays)
                    .isLessThan(r.rawRise.rise());
            // APC never lets the requirement fall below the model in calm days before the crash
            int crash = (int) (CRASH.toEpochDay() - FROM.toEpochDay());
            for (int t = 0; t < crash; t++) {
                assertThat(r.apc[t]).isGreaterThanOrEqualTo(r.raw[t]);
            }
        }
    }

    record Replay(String book, HistoricalSimulation model, double[] raw, double[] stressed, double[] apc,
                  Procyclicality.PeakRise rawRise, Procyclicality.PeakRise apcRise,
                  Procyclicality.PeakRise floorOnly, Procyclicality.PeakRise bufferOnly, Procyclicality.PeakRise capOnly) {

        void print() {
            System.out.printf("crash replay, long %s perp USD 1M, ES %.1f%% %dd look-back %dd horizon, %s..%s%n",
                    book, model.es().level() * 100, model.lookBackDays(), model.holdingDays(), FROM, TO);
            System.out.printf("  peak %d-day rise without APC: %+.1f%% (%s %.0f -> %s %.0f)%n", RISE_WINDOW_DAYS,
                    rawRise.rise() * 100, day(rawRise.from()), raw[rawRise.from()], day(rawRise.to()), raw[rawRise.to()]);
            System.out.printf("  peak %d-day rise with APC:    %+.1f%% (%s %.0f -> %s %.0f)%n", RISE_WINDOW_DAYS,
                    apcRise.rise() * 100, day(apcRise.from()), apc[apcRise.from()], day(apcRise.to()), apc[apcRise.to()]);
            System.out.printf("  each tool alone: floor %+.1f%%, buffer %+.1f%%, cap %+.1f%%%n",
                    floorOnly.rise() * 100, bufferOnly.rise() * 100, capOnly.rise() * 100);
            System.out.println("  day         raw ES   stressed   with APC");
            for (int t = 0; t < raw.length; t++) {
                LocalDate d = day(t);
                if (!d.isBefore(CRASH.minusDays(3)) && !d.isAfter(CRASH.plusDays(8))) {
                    System.out.printf("  %s %8.0f %10.0f %10.0f%n", d, raw[t], stressed[t], apc[t]);
                }
            }
        }
    }

    static LocalDate day(int t) {
        return FROM.plusDays(t);
    }

    static Replay replay(HistoricalSimulation model, String underlying, PriceHistory history, Procyclicality apc) {
        List<PriceHistory> histories = List.of(history);
        LinearBook book = new LinearBook(Map.of(underlying, NOTIONAL));
        int days = (int) (TO.toEpochDay() - FROM.toEpochDay()) + 1;
        double[] raw = new double[days];
        double[] stressed = new double[days];
        for (int t = 0; t < days; t++) {
            raw[t] = model.requirement(book, histories, day(t));
            stressed[t] = model.stressedRequirement(book, histories, day(t));
        }
        boolean[] noBreach = new boolean[days];
        double[] withApc = apc.apply(raw, stressed, noBreach);
        return new Replay(underlying, model, raw, stressed, withApc,
                Procyclicality.peakRise(raw, RISE_WINDOW_DAYS), Procyclicality.peakRise(withApc, RISE_WINDOW_DAYS),
                Procyclicality.peakRise(apc.floor(raw, stressed), RISE_WINDOW_DAYS),
                Procyclicality.peakRise(apc.buffer(raw), RISE_WINDOW_DAYS),
                Procyclicality.peakRise(apc.capRise(raw, raw, noBreach), RISE_WINDOW_DAYS));
    }
}
