package dev.crosschain.liquidation.app;

import dev.crosschain.liquidation.client.CollateralClient;
import dev.crosschain.liquidation.client.DependencyException;
import dev.crosschain.liquidation.domain.CanonicalAssets;
import dev.crosschain.liquidation.domain.LotItem;
import dev.crosschain.liquidation.domain.Underlyings;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The underlyings a lot touches as halts and breakers key them ({@link Underlyings}), collateral mapped to its
 * canonical asset by collateral-service's registry (the client's cached read). While the registry cannot be read
 * collateral counts under its token symbol: a wrapped token is then judged by a halt of its own symbol, and a breaker
 * on it reads as never received (STALE), which holds rather than opens.
 */
@ApplicationScoped
public class LotUnderlyings {

    private static final Logger LOG = Logger.getLogger(LotUnderlyings.class);

    private final CollateralClient collateral;
    /** Set while the registry is unreadable, so the fallback is logged once per outage, not per lot. */
    private final AtomicBoolean fallingBack = new AtomicBoolean();

    public LotUnderlyings(CollateralClient collateral) {
        this.collateral = collateral;
    }

    public Set<String> of(List<LotItem> lot) {
        return Underlyings.of(lot, canonical());
    }

    /** The registry's mapping as last read; {@link CanonicalAssets#NONE} while it cannot be read. */
    public CanonicalAssets canonical() {
        try {
            CanonicalAssets read = collateral.canonicalAssets();
            if (fallingBack.compareAndSet(true, false)) {
                LOG.info("chain registry read: collateral counts under its canonical asset again");
            }
            return read;
        } catch (DependencyException e) {
            if (fallingBack.compareAndSet(false, true)) {
                LOG.warnf("chain registry unreadable, collateral counts under its token symbol until it is: %s", e.getMessage());
            }
            return CanonicalAssets.NONE;
        }
    }
}
