package dev.crosschain.margin.app;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import dev.crosschain.margin.client.DependencyException;
import dev.crosschain.margin.domain.portfolio.PortfolioAccount;
import dev.crosschain.margin.domain.portfolio.PortfolioParameters;
import dev.crosschain.margin.domain.portfolio.PositionExposure;
import dev.crosschain.margin.domain.portfolio.Scenario;
import dev.crosschain.margin.domain.portfolio.ScenarioGrid;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The re-margin page's batched revaluation answers each book's scan with the figures of the book's own RevalueBook
 * calls (a pricer linear in the quantity, as pricing-service's per-position figures are), and narrows a refusal to
 * the books holding what pricing named.
 */
class PageRevaluationTest {

    private static final PortfolioParameters P = PortfolioParameters.DEFAULT;
    private static final List<String> UNDERLYINGS = List.of("BTC", "ETH", "SOL");
    /** Below a cent on books of a few hundred thousand USD: only the last bits of a double may differ. */
    private static final double TOL = 1e-6;

    /** A pricer's per-position P&L: quantity times a unit P&L that depends on the instrument and the whole scenario. */
    private static double unit(String instrument, Scenario s) {
        double h = (instrument.hashCode() % 1000) / 1000.0;
        double move = 0;
        for (double m : s.spotMoves().values()) {
            move += m * (1 + h);
        }
        return 1000 * (move + move * move * h) + 50 * s.volShift() * h + 7 * s.skewShift() + s.volShiftReferenceDays() * 1e-3;
    }

    private static PortfolioAccount.Revalued pricer(List<PositionExposure> positions, List<Scenario> scenarios,
                                                    Set<String> staleUnderlyings) {
        double[][] pnl = new double[positions.size()][scenarios.size()];
        Set<String> stale = new HashSet<>();
        for (int p = 0; p < positions.size(); p++) {
            for (int s = 0; s < scenarios.size(); s++) {
                pnl[p][s] = positions.get(p).quantity().doubleValue() * unit(positions.get(p).instrument(), scenarios.get(s));
            }
            if (staleUnderlyings.contains(positions.get(p).underlying())) {
                stale.add(positions.get(p).underlying());
            }
        }
        return new PortfolioAccount.Revalued(pnl, stale);
    }

    private record Book(List<PositionExposure> positions, List<Scenario> scenarios) {
    }

    private static List<Book> randomBooks(Random random, int count) {
        List<Book> books = new ArrayList<>();
        for (int b = 0; b < count; b++) {
            List<PositionExposure> positions = new ArrayList<>();
            Set<String> held = new HashSet<>();
            int n = 1 + random.nextInt(12);
            for (int i = 0; i < n; i++) {
                String u = UNDERLYINGS.get(random.nextInt(UNDERLYINGS.size()));
                String instrument = u + "-" + (random.nextBoolean() ? "PERPETUAL" : "27DEC26-" + (1 + random.nextInt(5)) * 1000 + "-C");
                if (held.add(instrument)) {
                    BigDecimal quantity = BigDecimal.valueOf((random.nextInt(41) - 20) * 25L, 1);
                    positions.add(new PositionExposure(instrument, u, quantity.signum() == 0 ? BigDecimal.ONE : quantity,
                            instrument.endsWith("-C"), BigDecimal.valueOf(100)));
                }
            }
            Set<String> stale = random.nextInt(8) == 0 ? Set.of("ETH") : Set.of();
            books.add(new Book(positions, ScenarioGrid.forBook(P, positions, List.of(), stale).scenarios()));
        }
        return books;
    }

    @Test
    void everyBookGetsTheFiguresOfItsOwnCalls() {
        long seed = System.nanoTime();
        System.out.println("PageRevaluationTest seed " + seed);
        Random random = new Random(seed);
        List<Book> books = randomBooks(random, 60);
        Set<String> staleIndex = Set.of("SOL");
        AtomicInteger calls = new AtomicInteger();
        PageRevaluation page = new PageRevaluation((positions, scenarios) -> {
            calls.incrementAndGet();
            assertThat(positions).allSatisfy(p -> assertThat(p.quantity()).isEqualByComparingTo("1"));
            return pricer(positions, scenarios, staleIndex);
        });
        for (Book book : books) {
            assertThatThrownBy(() -> page.planner().revalue(book.positions(), book.scenarios()))
                    .isInstanceOf(PageRevaluation.Planned.class);
        }
        page.fetch();
        assertThat(calls.get()).as("one call per group of scenarios and underlying, not per book (seed %d)", seed)
                .isLessThan(books.size());
        for (Book book : books) {
            // the book's own calls (PricingClient.revalue): one per group, its positions in its scenarios, the
            // others' cells 0; a call answered stale makes every underlying of it stale
            PortfolioAccount.Revalued own = pricer(book.positions(), book.scenarios(), Set.of());
            Set<String> ownStale = new HashSet<>();
            for (int g : groupsOf(book)) {
                List<String> inGroup = new ArrayList<>();
                for (int p = 0; p < book.positions().size(); p++) {
                    if (groupOf(book, p) == g) {
                        inGroup.add(book.positions().get(p).underlying());
                    }
                }
                if (inGroup.stream().anyMatch(staleIndex::contains)) {
                    ownStale.addAll(inGroup);
                }
            }
            PortfolioAccount.Revalued batched = page.answers().revalue(book.positions(), book.scenarios());
            assertThat(batched.staleUnderlyings()).as("seed %d", seed).isEqualTo(ownStale);
            for (int p = 0; p < book.positions().size(); p++) {
                for (int s = 0; s < book.scenarios().size(); s++) {
                    Scenario scenario = book.scenarios().get(s);
                    double expected = scenario.group() == groupOf(book, p) ? own.pnl()[p][s] : 0;
                    assertThat(batched.pnl()[p][s]).as("seed %d position %d scenario %s", seed, p, scenario.id())
                            .isCloseTo(expected, org.assertj.core.data.Offset.offset(TOL));
                }
            }
        }
    }

    /** The group of the first scenario moving the position's underlying, as PricingClient groups its calls. */
    private static int groupOf(Book book, int p) {
        String underlying = book.positions().get(p).underlying();
        return book.scenarios().stream().filter(s -> s.underlyings().contains(underlying)).findFirst().orElseThrow().group();
    }

    private static Set<Integer> groupsOf(Book book) {
        Set<Integer> groups = new HashSet<>();
        for (int p = 0; p < book.positions().size(); p++) {
            groups.add(groupOf(book, p));
        }
        return groups;
    }

    @Test
    void aRefusedInstrumentSendsOnlyItsHoldersToTheirOwnCalls() {
        PositionExposure refused = new PositionExposure("ETH-27DEC26-9000-C", "ETH", BigDecimal.ONE, true, BigDecimal.TEN);
        PositionExposure perp = new PositionExposure("ETH-PERPETUAL", "ETH", new BigDecimal("-2"), false, BigDecimal.TEN);
        PositionExposure future = new PositionExposure("ETH-27DEC26", "ETH", new BigDecimal("3"), false, BigDecimal.TEN);
        List<PositionExposure> holder = List.of(refused, perp);
        List<PositionExposure> other = List.of(perp, future);
        List<Scenario> grid = ScenarioGrid.forBook(P, holder, List.of()).scenarios();
        List<List<String>> sent = new ArrayList<>();
        PageRevaluation page = new PageRevaluation((positions, scenarios) -> {
            List<String> names = positions.stream().map(PositionExposure::instrument).toList();
            sent.add(names);
            int at = names.indexOf(refused.instrument());
            if (at >= 0) {
                throw refusal("positions[" + at + "].instrument");
            }
            return pricer(positions, scenarios, Set.of());
        });
        for (List<PositionExposure> book : List.of(holder, other)) {
            assertThatThrownBy(() -> page.planner().revalue(book, grid)).isInstanceOf(PageRevaluation.Planned.class);
        }
        page.fetch();

        assertThat(sent).as("asked again without the refused instrument only").hasSize(2);
        assertThat(sent.get(1)).containsExactlyInAnyOrder(perp.instrument(), future.instrument());
        assertThatThrownBy(() -> page.answers().revalue(holder, grid)).isInstanceOf(PageRevaluation.Missing.class);
        PortfolioAccount.Revalued answered = page.answers().revalue(other, grid);
        PortfolioAccount.Revalued own = pricer(other, grid, Set.of());
        for (int s = 0; s < grid.size(); s++) {
            assertThat(answered.pnl()[1][s]).isCloseTo(own.pnl()[1][s], org.assertj.core.data.Offset.offset(TOL));
        }
    }

    @Test
    void aCallFailingOtherwiseSendsAllItsHoldersToTheirOwnCalls() {
        PositionExposure perp = new PositionExposure("BTC-PERPETUAL", "BTC", BigDecimal.ONE, false, BigDecimal.TEN);
        PositionExposure sol = new PositionExposure("SOL-PERPETUAL", "SOL", BigDecimal.ONE, false, BigDecimal.TEN);
        List<Scenario> grid = ScenarioGrid.forBook(P, List.of(perp, sol), List.of()).scenarios();
        PageRevaluation page = new PageRevaluation((positions, scenarios) -> {
            if (positions.get(0).underlying().equals("BTC")) {
                throw new DependencyException("down", Status.Code.UNAVAILABLE, null);
            }
            return pricer(positions, scenarios, Set.of());
        });
        List<PositionExposure> solOnly = List.of(sol);
        List<Scenario> solGrid = ScenarioGrid.forBook(P, solOnly, List.of()).scenarios();
        assertThatThrownBy(() -> page.planner().revalue(List.of(perp, sol), grid)).isInstanceOf(PageRevaluation.Planned.class);
        assertThatThrownBy(() -> page.planner().revalue(solOnly, solGrid)).isInstanceOf(PageRevaluation.Planned.class);
        page.fetch();
        assertThatThrownBy(() -> page.answers().revalue(List.of(perp, sol), grid)).isInstanceOf(PageRevaluation.Missing.class);
        assertThat(page.answers().revalue(solOnly, solGrid).pnl()[0]).hasSize(solGrid.size());
    }

    /** pricing-service's refusal as PricingClient reports it: INTERNAL, the upstream status with its BadRequest as cause. */
    private static DependencyException refusal(String field) {
        com.google.rpc.Status status = com.google.rpc.Status.newBuilder().setCode(Status.Code.INVALID_ARGUMENT.value())
                .setMessage("UNKNOWN_INSTRUMENT").addDetails(Any.pack(BadRequest.newBuilder()
                        .addFieldViolations(BadRequest.FieldViolation.newBuilder().setField(field).setDescription("no such instrument"))
                        .build())).build();
        return new DependencyException("refused", Status.Code.INTERNAL, StatusProto.toStatusRuntimeException(status));
    }
}
