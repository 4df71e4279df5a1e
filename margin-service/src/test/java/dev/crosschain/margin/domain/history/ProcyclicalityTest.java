package dev.crosschain.margin.domain.history;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ProcyclicalityTest {

    static final double TOL = 1e-9;
    static final Procyclicality APC = new Procyclicality(0.25, 0.10, 2, 1.0, 0.10);

    @Test
    void floorKeepsTheStressedFigure() {
        double[] out = APC.floor(new double[]{100, 50, 200}, new double[]{80, 80, 80});
        assertThat(out).containsExactly(new double[]{100, 80, 200}, within(TOL));
        double[] half = new Procyclicality(0.25, 0.1, 2, 0.5, 0.1).floor(new double[]{10, 50}, new double[]{80, 80});
        assertThat(half).containsExactly(new double[]{40, 50}, within(TOL));
    }

    @Test
    void bufferIsDrawnDownInARiseAndRebuiltOnlyAfterCalmIntervals() {
        // raw: calm 100, rises to 120 (inside the 25% buffer), 150 (beyond it), calm at 150, rises to 160
        double[] raw = {100, 100, 120, 150, 150, 150, 150, 160};
        double[] b = APC.buffer(raw);
        // b0 = 125; b1 = 125 (1 calm interval < 2: no rebuild, and full already);
        // b2 = max(120, min(150, 125)) = 125 (a rise: held, no rebuild); b3 = max(150, min(187.5, 125)) = 150;
        // b4 = 150 (1 calm interval); b5 = 150 + 0.1 x 0.25 x 150 = 153.75 (2 calm); b6 = 157.5;
        // b7 = max(160, min(200, 157.5)) = 160: the requirement rose, so no rebuild on that interval
        assertThat(b).containsExactly(new double[]{125, 125, 125, 150, 150, 153.75, 157.5, 160}, within(TOL));
        for (int t = 0; t < raw.length; t++) {
            assertThat(b[t]).isBetween(raw[t], raw[t] * 1.25 + TOL);
        }
    }

    @Test
    void aRisingRequirementNeverGetsARebuildOnTop() {
        // rises every interval: the buffered figure is the requirement itself once the buffer is used up
        double[] raw = {100, 110, 121, 133.1, 146.41, 161.051};
        double[] b = new Procyclicality(0.25, 1.0, 0, 1.0, 0.10).buffer(raw);
        assertThat(b).containsExactly(new double[]{125, 125, 125, 133.1, 146.41, 161.051}, within(TOL));
        // flat after a drawdown: nothing rebuilt for calmIntervalsBeforeRebuild - 1 intervals
        double[] flat = {100, 200, 200, 200, 200, 200};
        Procyclicality slow = new Procyclicality(0.25, 0.5, 4, 1.0, 0.10);
        assertThat(slow.buffer(flat)).containsExactly(new double[]{125, 200, 200, 200, 200, 225}, within(TOL));
    }

    @Test
    void riseIsCappedOutsideBreachAndNotInBreach() {
        double[] x = {100, 200, 200, 200, 50};
        double[] raw = {100, 200, 200, 200, 50};
        boolean[] calm = {false, false, false, false, false};
        assertThat(APC.capRise(x, raw, calm)).containsExactly(new double[]{100, 110, 121, 133.1, 50}, within(TOL));
        boolean[] breachOnDay2 = {false, false, true, false, false};
        assertThat(APC.capRise(x, raw, breachOnDay2)).containsExactly(new double[]{100, 110, 200, 200, 50}, within(TOL));
    }

    @Test
    void allToolsTogether() {
        double[] raw = {100, 100, 300};
        double[] stressed = {120, 120, 120};
        boolean[] calm = {false, false, false};
        // floor -> 120, 120, 300; buffer -> 150, 150, max(300, min(375, 150 + 7.5)) = 300; cap -> 150, 150, 165
        assertThat(APC.apply(raw, stressed, calm)).containsExactly(new double[]{150, 150, 165}, within(TOL));
        assertThat(APC.apply(raw, stressed, new boolean[]{false, false, true})).containsExactly(new double[]{150, 150, 300}, within(TOL));
    }

    @Test
    void peakRiseLooksAtEverySpanUpToTheWindow() {
        double[] series = {100, 90, 95, 120, 180, 170, 300};
        Procyclicality.PeakRise within2 = Procyclicality.peakRise(series, 2);
        // spans of at most 2: 95 -> 180 (+89.5%), 170 <- 120 ... 120 -> 300? 3 steps: no; 180 -> 300 +66.7%
        assertThat(within2.rise()).isCloseTo(180.0 / 95 - 1, within(TOL));
        assertThat(within2.from()).isEqualTo(2);
        assertThat(within2.to()).isEqualTo(4);
        Procyclicality.PeakRise within5 = Procyclicality.peakRise(series, 5);
        assertThat(within5.rise()).isCloseTo(300.0 / 90 - 1, within(TOL));
        assertThat(within5.from()).isEqualTo(1);
        assertThat(Procyclicality.peakRise(new double[]{3, 2, 1}, 5).rise()).isZero();
    }

    @Test
    void badInputIsRefused() {
        assertThatThrownBy(() -> APC.floor(new double[]{1}, new double[]{1, 2})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> APC.buffer(new double[]{1, Double.NaN})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at 1");
        assertThatThrownBy(() -> APC.buffer(new double[]{-1})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Procyclicality(-0.1, 0.1, 2, 1, 0.1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Procyclicality(0.25, 0.1, 2, 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Procyclicality(0.25, 0.1, -1, 1, 0.1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Procyclicality.peakRise(new double[]{1}, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
