package dev.crosschain.collateral.domain;

import java.util.Set;

/** An authenticated caller: its name (recorded as the actor of its changes) and what it may do. */
public record Caller(String name, Set<Right> rights) {

    public Caller {
        rights = Set.copyOf(rights);
    }

    /** This caller, or PERMISSION_DENIED NOT_ALLOWED when it lacks {@code right} for {@code rpc}. */
    public Caller require(Right right, String rpc) {
        if (!rights.contains(right)) {
            throw new PermissionDeniedException("NOT_ALLOWED", "caller " + name + " may not call " + rpc);
        }
        return this;
    }
}
