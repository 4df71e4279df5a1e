package dev.crosschain.pricing.grpc;

import dev.crosschain.pricing.domain.IndexLevel;
import dev.crosschain.pricing.domain.Instrument;
import dev.crosschain.pricing.domain.Mark;
import dev.crosschain.pricing.domain.OptionGreeks;
import dev.crosschain.proto.pricing.v1.Greeks;
import dev.crosschain.proto.pricing.v1.IndexPrice;
import dev.crosschain.proto.pricing.v1.InstrumentKind;

import java.time.Instant;

/** Domain to proto. */
final class ProtoMapper {

    private ProtoMapper() {
    }

    static IndexPrice index(IndexLevel level, boolean stale, Instant now) {
        return IndexPrice.newBuilder()
                .setAsset(level.asset())
                .setPrice(level.price().toPlainString())
                .setUpdatedAtUnixMs(level.updatedAt().toEpochMilli())
                .setStale(stale)
                .setAgeMs(Math.max(0, level.age(now).toMillis()))
                .addSources(level.source())
                .build();
    }

    static dev.crosschain.proto.pricing.v1.Mark mark(Mark mark) {
        var builder = dev.crosschain.proto.pricing.v1.Mark.newBuilder()
                .setInstrument(mark.instrument().name())
                .setKind(kind(mark.instrument()))
                .setUnderlying(mark.instrument().underlying())
                .setMarkPrice(mark.markPrice().toPlainString())
                .setIndexPrice(mark.indexPrice().toPlainString())
                .setStale(mark.stale())
                .setImpliedVol(mark.vol())
                .setAsOfUnixMs(mark.asOf().toEpochMilli());
        if (mark.greeks() != null) {
            builder.setGreeks(greeks(mark.greeks()));
        }
        return builder.build();
    }

    static Greeks greeks(OptionGreeks g) {
        return Greeks.newBuilder().setDelta(g.delta()).setGamma(g.gamma()).setVega(g.vega()).setTheta(g.theta())
                .setRho(g.rho()).setVanna(g.vanna()).setVolga(g.volga()).build();
    }

    static InstrumentKind kind(Instrument instrument) {
        if (instrument instanceof Instrument.Option) {
            return InstrumentKind.INSTRUMENT_KIND_OPTION;
        }
        if (instrument instanceof Instrument.Future) {
            return InstrumentKind.INSTRUMENT_KIND_FUTURE;
        }
        if (instrument instanceof Instrument.Perpetual) {
            return InstrumentKind.INSTRUMENT_KIND_PERPETUAL;
        }
        return InstrumentKind.INSTRUMENT_KIND_SPOT;
    }
}
