package dev.crosschain.margin.app;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.math.BigDecimal;
import java.time.Duration;

/** margin-service's own settings (prefix {@code margin}). */
@ConfigMapping(prefix = "margin")
public interface MarginConfig {

    Linear linear();

    Option option();

    Stale stale();

    Client client();

    Remargin remargin();

    Collateral collateral();

    Withdrawals withdrawals();

    Parameters parameters();

    ExpectedShortfall expectedShortfall();

    Admin admin();

    LiquidationPrices liquidationPrices();

    Explain explain();

    Isolated isolated();

    Freeze freeze();

    interface Linear {
        /**
         * Perpetual/future tiers {@code below:im:mm,...,*:im:mm}: the whole position takes the rates of
         * the tier its notional (|qty| x mark, USD) falls in.
         */
        @WithDefault("1000000:0.02:0.01,5000000:0.04:0.02,*:0.10:0.05")
        String tiers();
    }

    interface Option {
        /** Short option IM fraction of S before the OTM credit. */
        @WithDefault("0.15")
        BigDecimal imBase();

        /** Short option IM floor, fraction of S. */
        @WithDefault("0.10")
        BigDecimal imMin();

        /** Short option MM, fraction of S. */
        @WithDefault("0.075")
        BigDecimal mm();
    }

    interface Stale {
        /** Relative move against each position whose price is stale. */
        @WithDefault("0.15")
        BigDecimal scanRange();
    }

    interface Client {
        /** Deadline of every call to collateral-service and pricing-service. */
        @WithDefault("2s")
        Duration deadline();

        /** Attempts of an idempotent call, retried only on UNAVAILABLE. */
        @WithDefault("3")
        int maxAttempts();

        @WithDefault("100ms")
        Duration initialBackoff();

        @WithDefault("1s")
        Duration maxBackoff();
    }

    interface Collateral {
        /**
         * margin-service's bearer token at collateral-service, which refuses LockWithdrawal and
         * GetWithdrawal without it (sent as "authorization: Bearer <token>"; none sent when unset).
         */
        java.util.Optional<String> token();
    }

    interface Withdrawals {
        /**
         * How far collateral-service's database clock (it judges not_after on clock_timestamp(), one
         * clock for all its replicas) may differ from margin-service's clocks (each replica's JVM
         * clock, which sets and judges not_after, and margin's database clock, which dates
         * lock_asked_at). A lock request carries not_after = margin's clock + the call deadline, and
         * collateral-service refuses to lock after that instant of its database's clock. When an
         * attempt's outcome is unknown, margin-service asks for it (GetWithdrawal) until its clock
         * has passed not_after + this allowance, then takes NOT_FOUND for "nothing locked". That is sound only if
         * the clocks are within this allowance: too small, and a lock by a collateral-service whose
         * clock lags more may land after margin-service concluded it did not. A database clock that
         * LEADS margin's by the call deadline or more refuses every lock LOCK_EXPIRED (an outage).
         * Must not be negative (refused at startup). Deploy collateral-service (which enforces
         * not_after) before a margin-service that relies on it.
         */
        @WithDefault("2s")
        Duration clockSkew();
    }

    interface Remargin {
        /** Period of the re-margin loop (also read by @Scheduled as ${margin.remargin.interval}). */
        @WithDefault("1s")
        Duration interval();

        /**
         * Accounts per page of a pass: one SQL read, one GetCollaterals call and one GetMarks call for the page's
         * instruments, one UPDATE of the figures that changed. 1 to 1,000 (GetCollaterals' limit; checked at start).
         */
        @WithDefault("500")
        int pageSize();

        /** Pages valued at once (a bounded pool of this many threads); the passes still run one at a time. 1 to 16 (checked at start). */
        @WithDefault("2")
        int workers();

        /**
         * Whether a pass is also asked on every move of pricing-service's index (WatchIndexPrices), coalesced with the
         * timer's: a breach is then reported about one pass after the move instead of up to an interval later.
         */
        @WithDefault("true")
        boolean onIndexTick();

        /**
         * The least time from the end of a pass to the start of the next, however often passes are asked; the gap is
         * also at least the ended pass's duration. 0 or more (checked at start).
         */
        @WithDefault("100ms")
        Duration minGap();
    }

    interface Parameters {
        /**
         * The version of the configured risk-parameter set (margin.linear.*, margin.option.*, margin.stale.*,
         * margin.expected-shortfall.* and the PORTFOLIO set "pm-1"): 1 to 64 characters of A-Z a-z 0-9 . _ -. At start
         * it is recorded (changed_by "config") unless already recorded; the newest recorded set is then active, so an
         * admin change survives a restart with an older configured version. A configured version recorded with other
         * contents refuses the start: change the version with the contents. "rp-1" is the set without expected
         * shortfall (margin.expected-shortfall.modes=none), which this release keeps: ES is activated in a second
         * step, once every replica runs this release (see margin.expected-shortfall.modes).
         */
        @WithDefault("rp-1")
        String version();
    }

    /** The expected-shortfall section of the configured set (see ExpectedShortfallParameters). */
    interface ExpectedShortfall {
        /**
         * Comma-separated modes whose requirement is max(scenario MM, ES x APC ratio), or "none". Only PORTFOLIO.
         * "none" by default: the release before ES reads a recorded ES section as absent, so while its replicas run,
         * a set with ES would be computed without ES under the same version. Activate ES once every replica runs a
         * release that reads it: by SetRiskParameters, or here with a new margin.parameters.version.
         */
        @WithDefault("none")
        String modes();

        /** ES confidence level, in (0, 1). */
        @WithDefault("0.975")
        double level();

        /** Overlapping windows per figure, one a day, >= holding-days. */
        @WithDefault("365")
        int lookBackDays();

        /** The margin period of risk, days, >= 1. */
        @WithDefault("2")
        int holdingDays();

        /** NONE or FLOOR_AND_BUFFER (the stressed floor and 25% buffer, as a ratio; no rise cap). */
        @WithDefault("FLOOR_AND_BUFFER")
        String antiProcyclicality();
    }

    interface Admin {
        /**
         * The bearer token of SetRiskParameters ("authorization: Bearer <token>"). Unset: the RPC is refused
         * PERMISSION_DENIED ADMIN_DISABLED to everyone.
         */
        java.util.Optional<String> token();
    }

    interface LiquidationPrices {
        /**
         * The budget of an answer's liquidation prices (include_liquidation_prices): their RevalueBook calls get one
         * attempt each, ending by then (or by the caller's own deadline when sooner); late, the view goes without them.
         */
        @WithDefault("250ms")
        Duration deadline();
    }

    interface Explain {
        /** How long Explain's input snapshots are kept for ReplaySnapshot; older ones are purged. */
        @WithDefault("7d")
        Duration retention();

        /** How often the snapshots past their retention are purged (also read by @Scheduled). */
        @WithDefault("1h")
        Duration purgeInterval();
    }

    interface Isolated {
        /**
         * Whether ISOLATED mode is offered (env MARGIN_ISOLATED_ENABLED). Off by default: liquidation-service cannot
         * auction a single bucket yet, so an ISOLATED account with one breached bucket would be auctioned whole.
         * While off, SetMarginMode to ISOLATED is refused MODE_NOT_AVAILABLE and AdjustIsolatedMargin too.
         */
        @WithDefault("false")
        boolean enabled();
    }

    interface Freeze {
        /**
         * How long before a freeze asking for the view (SetLiquidationFreeze return_view) a view valued LIQUIDATION may
         * have started reading its inputs for the freeze to answer it instead of valuing the account again, when the
         * account is still stored LIQUIDATION and its book, collateral and risk-parameter set are as that view was
         * valued from: the most its marks may lag the freeze (timed on a monotonic clock from before the read, so
         * they lag less; the view's as-of time and input ages stay those of its valuation). 0 values every freeze
         * afresh and keeps no view.
         */
        @WithDefault("2s")
        Duration viewMaxAge();
    }
}
