package dev.crosschain.liquidation.app;

import dev.crosschain.liquidation.client.CollateralClient;
import dev.crosschain.liquidation.domain.AssetDecimals;
import dev.crosschain.liquidation.domain.AuctionRules;
import dev.crosschain.liquidation.domain.BidRequest;
import dev.crosschain.liquidation.domain.CanonicalAssets;
import dev.crosschain.liquidation.domain.FundCheck;
import dev.crosschain.liquidation.store.AuctionStore;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The PlaceBid transaction with the insurance fund's part: the penalty recorded on the bid and, for a bid at a negative
 * price, the fund's balance read from collateral-service before the transaction (never while the auction row is locked)
 * and the payout checked against it.
 */
@ApplicationScoped
public class FundedAcceptance {

    private static final Logger LOG = Logger.getLogger(FundedAcceptance.class);

    private final AuctionStore store;
    private final CollateralClient collateral;
    private final Clock clock;
    private final Duration lease;
    private final LiquidationConfig.Settlement settlement;
    private final FundCheck unread;
    private final Duration maxInFlight;

    public FundedAcceptance(AuctionStore store, CollateralClient collateral, Clock clock, LiquidationConfig config) {
        this.store = store;
        this.collateral = collateral;
        this.clock = clock;
        this.lease = config.recovery().lease();
        this.settlement = config.settlement();
        this.unread = new FundCheck(config.insuranceFund().enabled(), config.insuranceFund().account(),
                config.penalty().validatedRate(), null, null);
        this.maxInFlight = config.client().maxInFlight();
    }

    /** Creates this bean at start, so a bad {@code liquidation.penalty.rate} fails the start (see the constructor). */
    void onStart(@Observes StartupEvent event) {
        LOG.infof("insurance fund %s, %s, penalty rate %s", unread.fundAccountId(), unread.enabled() ? "on" : "off",
                unread.penaltyRate().toPlainString());
    }

    /**
     * Accepts a bid (collateral under its {@code canonical} asset for the halt check); a solvent lot's bid costs no
     * call to collateral-service, an insolvent one's one GetCollateral.
     *
     * @throws dev.crosschain.liquidation.client.DependencyException when the fund must pay and its balance cannot be read
     */
    public AuctionStore.Accepted accept(BidRequest request, AssetDecimals decimals, CanonicalAssets canonical) {
        try {
            return store.accept(request, clock.instant(), lease, AuctionRules.DEFAULT, decimals, unread, canonical);
        } catch (FundCheck.FundBalanceNeededException e) {
            // a payout whose transfer lands after the read is not in it: count the ones settled since before the read
            // (less the longest a transfer may take, which covers another replica's clock skew too) as pending
            Instant settledSince = clock.instant().minus(maxInFlight);
            BigDecimal available = fundAvailable();
            return store.accept(request, clock.instant(), lease, AuctionRules.DEFAULT, decimals,
                    unread.withAvailable(available, settledSince), canonical);
        }
    }

    /** The fund's available USDC on the settlement chain, as collateral-service reports it now. */
    public BigDecimal fundAvailable() {
        return collateral.available(unread.fundAccountId(), settlement.chain(), settlement.asset());
    }

    /** The penalty rate a bid pays now: 0 while the fund is off. */
    public BigDecimal penaltyRate() {
        return unread.effectivePenaltyRate();
    }

    public boolean enabled() {
        return unread.enabled();
    }

    public String fundAccount() {
        return unread.fundAccountId();
    }
}
