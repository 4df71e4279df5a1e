package dev.crosschain.liquidation.app;

import dev.crosschain.liquidation.client.DependencyException;
import dev.crosschain.liquidation.client.MarginClient;
import dev.crosschain.liquidation.domain.Halts;
import dev.crosschain.liquidation.domain.Underlyings;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Collection;
import java.util.Optional;

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

    public NewAuctionGate(OperatorHalts halts, MarginClient margin, IndexBreakers breakers) {
        this.halts = halts;
        this.margin = margin;
        this.breakers = breakers;
    }

    /**
     * Why an account must wait before it is claimed, if it must. Reads the account's view only while some hold is
     * scoped to underlyings (a halt, or a breaker tripped for an underlying pricing-service sent); when the view
     * cannot be read, or the lot touches an underlying pricing-service never sent, the claim goes on and
     * {@link #hold} is asked again with the snapshot taken before the open.
     */
    public Optional<String> beforeClaim(String accountId) {
        Halts current = halts.current();
        if (!current.strongest().stopsNewAuctions() && breakers.trips().isEmpty()) {
            return Optional.empty();
        }
        if (current.global().stopsNewAuctions() || breakers.trippedForEvery()) {
            return hold(java.util.Set.of());
        }
        try {
            return hold(Underlyings.of(margin.accountSnapshot(accountId).lot()));
        } catch (DependencyException e) {
            return Optional.empty();
        }
    }

    /** Why an auction of a lot touching these underlyings must not open now, if it must not. */
    public Optional<String> hold(Collection<String> underlyings) {
        return halts.current().covering(underlyings).filter(h -> h.level().stopsNewAuctions())
                .map(h -> "halt " + h.scope() + " " + h.level() + " (by " + h.changedBy() + ": " + h.reason() + ")")
                .or(() -> breakers.tripped(underlyings).map(t -> "breaker " + t.underlying() + " " + t.kind() + " (" + t.detail() + ")"));
    }
}
