package dev.crosschain.pricing.grpc;

import dev.crosschain.pricing.domain.IndexLevel;
import dev.crosschain.pricing.domain.Instrument;
import dev.crosschain.pricing.domain.Mark;
import dev.crosschain.pricing.domain.OptionGreeks;
import dev.crosschain.pricing.domain.SviSlice;
import dev.crosschain.pricing.domain.VolSource;
import dev.crosschain.pricing.domain.VolSurface;
import dev.crosschain.pricing.domain.VolUsed;
import dev.crosschain.proto.pricing.v1.Greeks;
import dev.crosschain.proto.pricing.v1.IndexPrice;
import dev.crosschain.proto.pricing.v1.InstrumentKind;

import java.time.Duration;
import java.time.Instant;

/** Domain to proto. */
final class ProtoMapper {

    private ProtoMapper() {
    }

    static IndexPrice index(IndexLevel level, Instant now) {
        return IndexPrice.newBuilder()
                .setAsset(level.asset())
                .setPrice(level.price().toPlainString())
                .setUpdatedAtUnixMs(level.updatedAt().toEpochMilli())
                .setStale(level.stale())
                .setAgeMs(ageMs(level.updatedAt(), now))
                .addAllSources(level.sources())
                .addAllDroppedSources(level.droppedSources())
                .build();
    }

    static dev.crosschain.proto.pricing.v1.Mark mark(Mark mark, Instant now) {
        var builder = dev.crosschain.proto.pricing.v1.Mark.newBuilder()
                .setInstrument(mark.instrument().name())
                .setKind(kind(mark.instrument()))
                .setUnderlying(mark.instrument().underlying())
                .setMarkPrice(mark.markPrice().toPlainString())
                .setIndexPrice(mark.indexPrice().toPlainString())
                .setForward(mark.forward())
                .setStale(mark.stale())
                .setAsOfUnixMs(mark.asOf().toEpochMilli());
        if (mark.greeks() != null) {
            builder.setGreeks(greeks(mark.greeks()));
        }
        VolUsed vol = mark.vol();
        if (vol != null) {
            builder.setImpliedVol(vol.vol()).setVolSource(volSource(vol.source())).setSurfaceVersion(vol.surfaceVersion());
            if (vol.surfaceFittedAt() != null) {
                builder.setSurfaceAgeMs(ageMs(vol.surfaceFittedAt(), now));
            }
        }
        return builder.build();
    }

    static dev.crosschain.proto.pricing.v1.VolSurface surface(VolSurface surface, Instant now) {
        var builder = dev.crosschain.proto.pricing.v1.VolSurface.newBuilder()
                .setUnderlying(surface.underlying())
                .setVersion(surface.version())
                .setFittedAtUnixMs(surface.fittedAt().toEpochMilli())
                .setAgeMs(ageMs(surface.fittedAt(), now))
                .setSource(surface.configured() ? dev.crosschain.proto.pricing.v1.VolSource.VOL_SOURCE_CONFIGURED
                        : dev.crosschain.proto.pricing.v1.VolSource.VOL_SOURCE_SURFACE);
        for (SviSlice slice : surface.slices()) {
            builder.addSlices(dev.crosschain.proto.pricing.v1.SviSlice.newBuilder()
                    .setExpiry(Instrument.Expiry.format(slice.expiryDate()))
                    .setExpiryUnixMs(slice.expiry().toEpochMilli())
                    // A configured slice was fitted against nothing: it always floats with the index.
                    .setForward(surface.configured() ? 0.0 : slice.forward())
                    .setIndexAtFit(surface.configured() ? 0.0 : slice.indexAtFit())
                    .setA(slice.params().a())
                    .setB(slice.params().b())
                    .setRho(slice.params().rho())
                    .setM(slice.params().m())
                    .setSigma(slice.params().sigma())
                    .setAtmVol(Math.sqrt(slice.params().totalVariance(0.0) / slice.years()))
                    .setRmsVolError(slice.rmsVolError())
                    .setQuoteCount(slice.quoteCount()));
        }
        return builder.build();
    }

    static dev.crosschain.proto.pricing.v1.VolSource volSource(VolSource source) {
        return switch (source) {
            case SURFACE -> dev.crosschain.proto.pricing.v1.VolSource.VOL_SOURCE_SURFACE;
            case CONFIGURED -> dev.crosschain.proto.pricing.v1.VolSource.VOL_SOURCE_CONFIGURED;
            case OVERRIDE -> dev.crosschain.proto.pricing.v1.VolSource.VOL_SOURCE_OVERRIDE;
        };
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

    private static long ageMs(Instant since, Instant now) {
        return Math.max(0, Duration.between(since, now).toMillis());
    }
}
