package dev.crosschain.liquidation.domain;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The halts in force (level above NONE), by scope, and which of them covers a set of underlyings. */
public record Halts(Map<String, Halt> byScope) {

    public static final Halts NONE = new Halts(Map.of());

    public Halts {
        byScope = Map.copyOf(byScope);
    }

    public static Halts of(Collection<Halt> halts) {
        return new Halts(halts.stream().filter(h -> h.level() != HaltLevel.NONE)
                .collect(Collectors.toMap(Halt::underlying, Function.identity())));
    }

    /** The strongest halt covering an auction whose lot touches these underlyings (the global one wins a tie). */
    public Optional<Halt> covering(Collection<String> underlyings) {
        Optional<Halt> strongest = Optional.ofNullable(byScope.get(Halt.GLOBAL));
        for (String underlying : underlyings) {
            Halt halt = byScope.get(underlying);
            if (halt != null && (strongest.isEmpty() || halt.level().compareTo(strongest.get().level()) > 0)) {
                strongest = Optional.of(halt);
            }
        }
        return strongest;
    }

    /** The strongest level anywhere: nothing at or above it can cover any auction. */
    public HaltLevel strongest() {
        return byScope.values().stream().map(Halt::level).max(Comparator.naturalOrder()).orElse(HaltLevel.NONE);
    }

    /** The global halt's level (NONE when there is none). */
    public HaltLevel global() {
        Halt global = byScope.get(Halt.GLOBAL);
        return global == null ? HaltLevel.NONE : global.level();
    }

    /** Global first, then by underlying. */
    public List<Halt> list() {
        return byScope.values().stream().sorted(Comparator.comparing(Halt::underlying)).toList();
    }
}
