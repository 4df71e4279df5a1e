package dev.crosschain.suite;

import dev.crosschain.proto.collateral.v1.Ack;
import dev.crosschain.proto.collateral.v1.AckOutcome;
import dev.crosschain.proto.collateral.v1.Deposit;
import dev.crosschain.proto.collateral.v1.GetCollateralRequest;
import dev.crosschain.proto.liquidation.v1.GetInsuranceFundRequest;
import dev.crosschain.proto.margin.v1.AccountView;
import dev.crosschain.proto.margin.v1.GetAccountViewRequest;
import dev.crosschain.proto.margin.v1.Position;
import io.grpc.StatusRuntimeException;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the liquidation ITs (LiquidationKillProofIT, LiquidationReplicasIT) fund their accounts with and count value
 * conserved by: books of trader-like accounts (a long ETH-PERPETUAL from {@link #ENTRY}, breached on a fall to
 * {@link #BREACH}), the bidders and the insurance fund, valued at fixed marks.
 */
final class LiquidationBooks {

    static final BigDecimal ENTRY = new BigDecimal("3000");
    static final BigDecimal BREACH = new BigDecimal("2625");
    /** liquidation-service's defaults: the insurance fund account and the cash leg's chain and asset. */
    static final String FUND = "insurance-fund";
    static final String CASH = "ethereum/USDC";
    /** The fixed marks of the value count: the index levels at the breach. */
    private static final Map<String, BigDecimal> MARKS = Map.of("ETH", BREACH, "USDC", BigDecimal.ONE);
    private static final String PERP = DemoScenario.PERP;
    private static final Duration PATIENCE = Duration.ofSeconds(120);

    private LiquidationBooks() {
    }

    /** Every account's tokens and positions at one moment, and the fund's outstanding bad debt. */
    record Books(Map<String, Holdings> holdings, Map<String, Map<String, Position>> positions, BigDecimal badDebt) {

        Holdings tokens() {
            return holdings.values().stream().reduce(new Holdings(Map.of()), Holdings::plus);
        }

        Map<String, BigDecimal> positionTotals() {
            Map<String, BigDecimal> totals = new TreeMap<>();
            positions.values().forEach(p -> p.values().forEach(position -> totals.merge(position.getInstrument(),
                    new BigDecimal(position.getQuantity()), BigDecimal::add)));
            totals.replaceAll((instrument, quantity) -> quantity.stripTrailingZeros());
            return totals;
        }

        /** Collateral at the fixed marks, positions' PnL at the fixed ETH mark, plus outstanding bad debt; exact. */
        BigDecimal value() {
            BigDecimal value = badDebt;
            for (Holdings h : holdings.values()) {
                for (Map.Entry<String, BigDecimal> e : h.available().entrySet()) {
                    String asset = e.getKey().substring(e.getKey().indexOf('/') + 1);
                    value = value.add(e.getValue().multiply(mark(asset)));
                }
            }
            for (Map<String, Position> p : positions.values()) {
                for (Position position : p.values()) {
                    assertThat(position.getInstrument()).as("the only instrument traded").isEqualTo(PERP);
                    value = value.add(new BigDecimal(position.getQuantity())
                            .multiply(BREACH.subtract(new BigDecimal(position.getAverageEntryPrice()))));
                }
            }
            return value;
        }

        private static BigDecimal mark(String asset) {
            BigDecimal mark = MARKS.get(asset);
            assertThat(mark).as("fixed mark of " + asset).isNotNull();
            return mark;
        }
    }

    /** Deposits what each account is {@code expected} to hold through the chain adapters; awaits it final. */
    static void deposit(Endpoints services, Map<String, Holdings> expected, String tag) throws InterruptedException {
        long height = System.currentTimeMillis() / 1000;
        try (ChainAdapter ethereum = ChainAdapter.connect("ethereum", services);
             ChainAdapter arbitrum = ChainAdapter.connect("arbitrum", services)) {
            Map<String, ChainAdapter> adapters = Map.of("ethereum", ethereum, "arbitrum", arbitrum);
            Map<String, String> blocks = new HashMap<>();
            for (Map.Entry<String, ChainAdapter> chain : adapters.entrySet()) {
                blocks.put(chain.getKey(), "0x" + tag + chain.getKey() + Long.toHexString(height));
                requireApplied(chain.getValue().header(height, blocks.get(chain.getKey())));
            }
            int log = 0;
            for (Map.Entry<String, Holdings> account : expected.entrySet()) {
                for (Map.Entry<String, BigDecimal> amount : account.getValue().available().entrySet()) {
                    String chain = amount.getKey().substring(0, amount.getKey().indexOf('/'));
                    requireApplied(adapters.get(chain).deposit(Deposit.newBuilder().setTxHash("0x" + tag + "-deposit")
                            .setLogIndex(log++).setBlockHash(blocks.get(chain)).setAccountId(account.getKey())
                            .setAsset(amount.getKey().substring(chain.length() + 1)).setAmount(amount.getValue().toPlainString())
                            .build()));
                }
            }
            for (Map.Entry<String, ChainAdapter> chain : adapters.entrySet()) {
                for (long h = height + 1; h < height + chain.getValue().welcome().getConfirmations(); h++) {
                    requireApplied(chain.getValue().header(h, "0x" + tag + chain.getKey() + Long.toHexString(h)));
                }
            }
        }
        for (Map.Entry<String, Holdings> account : expected.entrySet()) {
            Await.until("final deposits of " + account.getKey(), PATIENCE, () -> {
                try {
                    return holdings(services, account.getKey()).sameAmounts(account.getValue()) ? Optional.of(true) : Optional.empty();
                } catch (StatusRuntimeException notYetKnown) {
                    return Optional.empty();
                }
            });
        }
    }

    private static void requireApplied(Ack ack) {
        assertThat(ack.getOutcome()).as("ack of %s", ack.getCursor()).isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
    }

    /** The books of {@code accounts} and the fund. */
    static Books books(Endpoints services, List<String> accounts) {
        Map<String, Holdings> holdings = new TreeMap<>();
        Map<String, Map<String, Position>> positions = new TreeMap<>();
        for (String account : accounts) {
            holdings.put(account, holdings(services, account));
            Map<String, Position> open = new TreeMap<>();
            view(services, account).getPositionsList().stream().filter(p -> new BigDecimal(p.getQuantity()).signum() != 0)
                    .forEach(p -> open.put(p.getInstrument(), p));
            positions.put(account, open);
        }
        holdings.put(FUND, holdings(services, FUND));
        positions.put(FUND, Map.of());
        BigDecimal badDebt = new BigDecimal(services.liquidation().getInsuranceFund(GetInsuranceFundRequest.getDefaultInstance())
                .getOutstandingBadDebtUsd());
        return new Books(holdings, positions, badDebt);
    }

    static Holdings holdings(Endpoints services, String account) {
        return Holdings.of(services.collateral().getCollateral(GetCollateralRequest.newBuilder().setAccountId(account).build()).getView());
    }

    static AccountView view(Endpoints services, String account) {
        return services.margin().getAccountView(GetAccountViewRequest.newBuilder().setAccountId(account).build()).getView();
    }

    /** Tokens, positions and value at fixed marks (plus bad debt) over every account, bidder and the fund. */
    static void checkConservation(String run, Books before, Books after) {
        assertThat(after.tokens().sameAmounts(before.tokens())).as("tokens before %s, after %s", before.tokens(), after.tokens())
                .isTrue();
        assertThat(after.positionTotals()).isEqualTo(before.positionTotals());
        BigDecimal valueBefore = before.value();
        BigDecimal valueAfter = after.value();
        System.out.printf("%s: value at fixed marks (ETH %s, USDC 1) of every account, bidder and the fund"
                + " plus bad debt: before %s, after %s USD%n", run, BREACH, valueBefore.toPlainString(), valueAfter.toPlainString());
        assertThat(valueAfter).isEqualByComparingTo(valueBefore);
    }
}
