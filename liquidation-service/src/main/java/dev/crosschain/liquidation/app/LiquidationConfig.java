package dev.crosschain.liquidation.app;

import dev.crosschain.liquidation.domain.AuctionCaps;
import dev.crosschain.liquidation.domain.IndexHistory;
import dev.crosschain.liquidation.domain.PriceCurve;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

@ConfigMapping(prefix = "liquidation")
public interface LiquidationConfig {

    Curve curve();

    Auction auction();

    Settlement settlement();

    Client client();

    Risk risk();

    Recovery recovery();

    Collateral collateral();

    Admin admin();

    Halt halt();

    Breaker breaker();
    Penalty penalty();

    InsuranceFund insuranceFund();

    Caps caps();

    BucketAuctions bucketAuctions();

    Open open();

    interface Open {
        /**
         * How many accounts' auctions open at once (WatchRisk events handled concurrently; one account's events one at a
         * time). Each holds a database connection only for its statements, but an opening under caps waits on
         * auction_caps_lock holding one: more openings than connections could leave bids and settlement none, so it is
         * at most quarkus.datasource.jdbc.max-size. At most this many margin-service calls are in flight for openings.
         */
        @WithDefault("16")
        int parallelism();

        /**
         * The parallelism, checked: in [1, 256] and at most the database connections.
         *
         * @param connections quarkus.datasource.jdbc.max-size
         * @throws IllegalStateException naming the properties
         */
        default int validatedParallelism(int connections) {
            if (parallelism() < 1 || parallelism() > 256) {
                throw new IllegalStateException("liquidation.open.parallelism must be in [1, 256], got " + parallelism());
            }
            if (parallelism() > connections) {
                throw new IllegalStateException("liquidation.open.parallelism (" + parallelism()
                        + ") must be at most quarkus.datasource.jdbc.max-size (" + connections + ")");
            }
            return parallelism();
        }
    }

    interface BucketAuctions {
        /**
         * Whether a breached ISOLATED bucket is auctioned alone (its position and allocation). Off by default: an
         * ISOLATED account in LIQUIDATION is auctioned whole, as in the release before, so this release can run before
         * margin-service turns ISOLATED on; turn it on only once every replica runs this release (an older replica knows
         * no bucket auction and would settle its bids without the bucket's change).
         */
        @WithDefault("false")
        boolean enabled();
    }

    /**
     * Caps on the value in auction ({@link AuctionCaps}): an auction whose lot does not fit under them opens for the
     * largest fraction that does, or waits (OPENING, frozen) until value frees up. None by default: auctions open whole.
     */
    interface Caps {
        /** The global cap, USD; absent: none. */
        Optional<BigDecimal> globalUsd();

        /** Caps per collateral line, USD, by "chain/asset": {@code liquidation.caps.asset."ethereum/USDC"=1000000}. */
        Map<String, BigDecimal> asset();

        /**
         * The caps, checked: values >= 0, keys "chain/asset".
         *
         * @throws IllegalStateException naming the property
         */
        default AuctionCaps validated() {
            try {
                return new AuctionCaps(globalUsd().orElse(null), asset());
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("liquidation.caps: " + e.getMessage(), e);
            }
        }
    }

    interface Auction {
        BufferBound bufferBound();

        interface BufferBound {
            /**
             * Whether auctions opened from now on are bounded by the account's buffer level (see bufferShare) and close
             * RESTORED once a bid brings the account back above it. Off by default: a replica of the release before it
             * knows no bound, so it would fill a bid above it and never close an auction RESTORED; turn it on only once
             * every replica runs this release. Off is that release's behaviour: an auction opens with no buffer (its
             * open_* figures empty) and is sold until empty; an auction opened while it was on keeps its bound.
             */
            @WithDefault("false")
            boolean enabled();
        }

        /**
         * Where an auction stops: the account's buffer level is MM + share x (IM - MM), from margin-service's figures
         * when the auction opened (stored with it, so a change here never moves a running auction). Bids are bounded
         * so the account ends near it, and the auction ends once a bid brings the account back to it. 0: back above
         * MM; 1: the full gap, MM + (IM - MM) = IM as a level for the MM-haircut equity (margin-service tests IM against
         * its IM-haircut equity, lower, so 1 does not mean the account meets its IM again).
         */
        @WithDefault("0.5")
        BigDecimal bufferShare();

        /**
         * The share, checked: in [0, 1].
         *
         * @throws IllegalStateException naming the property
         */
        default BigDecimal validatedBufferShare() {
            if (bufferShare().signum() < 0 || bufferShare().compareTo(BigDecimal.ONE) > 0) {
                throw new IllegalStateException("liquidation.auction.buffer-share must be in [0, 1], got "
                        + bufferShare().toPlainString());
            }
            return bufferShare();
        }
    }

    interface Penalty {
        /**
         * Share of a settled bid's part of the lot's mark value (at its epoch start) paid to the insurance fund out of
         * what the account receives, never more than that. 0.02: a stated choice, between the 1-3% perp venues charge.
         */
        @WithDefault("0.02")
        BigDecimal rate();

        /**
         * The rate, checked: in [0, 1) (a penalty of the whole share would leave the account nothing for a solvent lot).
         *
         * @throws IllegalStateException naming the property
         */
        default BigDecimal validatedRate() {
            if (rate().signum() < 0 || rate().compareTo(BigDecimal.ONE) >= 0) {
                throw new IllegalStateException("liquidation.penalty.rate must be in [0, 1), got " + rate().toPlainString());
            }
            return rate();
        }
    }

    interface InsuranceFund {
        /**
         * Whether bids pay the penalty, insolvent lots are sold at negative prices paid by the fund, and the fund takes
         * lots over. Off by default: a replica of the release before it would settle such a bid without the penalty or
         * payout leg and never book it, so turn it on only once every replica runs this release. Off is that
         * release's behaviour: no penalty, a lot price <= 0 refused (INSOLVENT_ACCOUNT), no takeovers.
         */
        @WithDefault("false")
        boolean enabled();

        /** The insurance fund's account at collateral-service: USDC on liquidation.settlement.chain. */
        @WithDefault("insurance-fund")
        String account();

        /**
         * How long the lot price of an auction may stay negative with the fund unable to pay for what remains before
         * the fund takes the rest over at price 0 and the shortfall is recorded as bad debt.
         */
        @WithDefault("60s")
        Duration takeoverAfter();

        /** How often open auctions are checked for a fund shortfall (a duration; "off": never, tests check by hand). */
        @WithDefault("1s")
        String checkEvery();
    }

    interface Curve {
        /**
         * Shape of the price fall: {@code linear} (buf to floor over duration), {@code stair-step} (times cut
         * every step) or {@code exponential} (times cut per step, continuously).
         */
        @WithDefault("stair-step")
        String kind();

        /** Start price as a fraction of the lot's mark value. */
        @WithDefault("0.95")
        BigDecimal buf();

        /** Lowest price as a fraction of the lot's mark value. */
        @WithDefault("0.50")
        BigDecimal floor();

        /** linear: time from start to floor. */
        @WithDefault("600s")
        Duration duration();

        /** stair-step and exponential: time per factor cut. */
        @WithDefault("30s")
        Duration step();

        /** stair-step and exponential: factor per step, in (0, 1). */
        @WithDefault("0.97")
        BigDecimal cut();

        /** A new epoch (price from buf x the lot's value at the current marks) after this long; 0s: never. */
        @WithDefault("600s")
        Duration tail();

        /** A new epoch once the price falls below cusp x the epoch's start value; 0: never. */
        @WithDefault("0.60")
        BigDecimal cusp();

        /** How often open auctions are checked for tail and cusp. */
        @WithDefault("1s")
        Duration resetEvery();

        /**
         * Whether this replica resets auctions and opens them with the configured tail and cusp. False for a
         * rolling upgrade from a release before migration V2 (whose replicas price every auction from its open
         * and would misprice one reset by a new replica): no resets, and auctions open with tail 0 and cusp 0 so
         * no bid waits for a reset that nobody makes. Turned on once every replica runs this release.
         */
        @WithDefault("true")
        boolean resetsEnabled();

        RebaseBuffer rebaseBuffer();

        interface RebaseBuffer {
            /**
             * Whether a reset re-bases an auction's buffer level on the account's fresh view (see Resets). Off by
             * default: a replica of a release before V7 reads the re-based open_* figures without the base they count
             * from (r0, C0) and would close an auction RESTORED while the account is still below its level. Turn on only
             * once every replica runs this release.
             */
            @WithDefault("false")
            boolean enabled();
        }

        /**
         * The curve of auctions opened from now on ({@link #toCurve}), with every {@code liquidation.curve.*} checked:
         * built at start, so a bad configuration fails the start with the property named rather than the first open.
         *
         * @throws IllegalStateException naming the property and the rule
         */
        default PriceCurve validated() {
            if (resetEvery().isNegative() || resetEvery().isZero()) {
                throw new IllegalStateException("liquidation.curve.reset-every must be positive, got " + resetEvery());
            }
            try {
                return toCurve();
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("liquidation.curve." + e.getMessage(), e);
            }
        }

        /**
         * The curve of auctions opened from now on (stored with each, so a change never moves a running one);
         * without resets (see {@link #resetsEnabled}) with tail 0 and cusp 0.
         */
        default PriceCurve toCurve() {
            Duration tail = resetsEnabled() ? tail() : Duration.ZERO;
            BigDecimal cusp = resetsEnabled() ? cusp() : BigDecimal.ZERO;
            return switch (kind().trim().toLowerCase(Locale.ROOT)) {
                case "linear" -> PriceCurve.linear(buf(), floor(), duration(), tail, cusp);
                case "stair-step" -> PriceCurve.stairStep(buf(), floor(), step(), cut(), tail, cusp);
                case "exponential" -> PriceCurve.exponential(buf(), floor(), step(), cut(), tail, cusp);
                default -> throw new IllegalArgumentException(
                        "kind must be linear, stair-step or exponential, got '" + kind() + "'");
            };
        }
    }

    interface Settlement {
        /** Chain of the cash leg (bidder pays the liquidated account). */
        @WithDefault("ethereum")
        String chain();

        /** Token of the cash leg. */
        @WithDefault("USDC")
        String asset();
    }

    interface Client {
        /** Deadline of every unary call to margin-service and collateral-service. */
        @WithDefault("2s")
        Duration deadline();

        /** Attempts of an idempotent call that answers UNAVAILABLE. */
        @WithDefault("5")
        int maxAttempts();

        @WithDefault("100ms")
        Duration initialBackoff();

        @WithDefault("1s")
        Duration maxBackoff();

        /** Added to the longest an idempotent call can take (clock skew between replicas, a server slow to start it). */
        @WithDefault("2s")
        Duration inFlightSlack();

        /**
         * The longest a freeze sent to margin-service may still land after it was sent: every attempt's deadline,
         * the backoffs between them, and the slack. An unfreeze sent sooner after a freeze is sent again later.
         */
        default Duration maxInFlight() {
            int attempts = Math.max(1, maxAttempts());
            return deadline().multipliedBy(attempts).plus(maxBackoff().multipliedBy(attempts - 1L)).plus(inFlightSlack());
        }
    }

    interface Collateral {
        /** liquidation-service's bearer token at collateral-service, which refuses Transfer without it. */
        Optional<String> token();

        /**
         * How long the chain registry read from collateral-service (token decimals) is used before it is read again
         * (operators change it at run time); a chain or token missing from it is looked up at once.
         */
        @WithDefault("60s")
        Duration registryRefresh();
    }

    interface Admin {
        /** Bearer token of the admin RPCs (SetHalt); none: they are refused to every caller. */
        Optional<String> token();
    }

    interface Halt {
        /** How often each replica reads the operator halts again: the longest a SetHalt answered elsewhere waits here. */
        @WithDefault("1s")
        Duration refresh();
    }

    interface Breaker {
        /** False: no breaker trips (and pricing-service is not watched): auctions open whatever the index does. */
        @WithDefault("true")
        boolean enabled();

        /**
         * An underlying whose index this service has not received for longer is STALE. A backstop for a silent stream:
         * pricing-service flags an index stale itself once its sources stop (pricing.index.stale-after, 60 s) and only
         * sends changes, so this stays above that.
         */
        @WithDefault("90s")
        Duration maxAge();

        /** The largest relative index move within the window that opens auctions, e.g. 0.10 = 10 %. */
        @WithDefault("0.10")
        double maxMove();

        /** How far back an index move counts. */
        @WithDefault("60s")
        Duration window();

        /** Delay before re-subscribing to WatchIndexPrices after a failure or an end of stream. */
        @WithDefault("1s")
        Duration reconnect();

        /**
         * The rules, checked: built at start, so a bad {@code liquidation.breaker.*} fails the start.
         *
         * @throws IllegalStateException naming the rule
         */
        default IndexHistory.Rules rules() {
            try {
                return new IndexHistory.Rules(maxAge(), maxMove(), window());
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("liquidation.breaker: " + e.getMessage(), e);
            }
        }
    }

    interface Risk {
        /** First delay before re-subscribing to WatchRisk after a failure; doubles up to reconnect-max. */
        @WithDefault("1s")
        Duration reconnectMin();

        @WithDefault("10s")
        Duration reconnectMax();
    }

    interface Recovery {
        /** How often unfinished settlements, freezes and unfreezes are retried. */
        @WithDefault("2s")
        Duration every();

        /** How long one settler owns a bid before recovery may take it over. */
        @WithDefault("30s")
        Duration lease();

        /** Age after which a missing freeze/unfreeze is retried by recovery rather than left to its caller. */
        @WithDefault("5s")
        Duration grace();
    }
}
