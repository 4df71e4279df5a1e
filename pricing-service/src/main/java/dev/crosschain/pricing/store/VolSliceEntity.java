package dev.crosschain.pricing.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import java.io.Serializable;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Objects;

/** The SVI slice of one expiry of one stored surface. */
@Entity
@Table(name = "vol_slice")
@IdClass(VolSliceEntity.Key.class)
class VolSliceEntity {

    @Id
    @Column(name = "underlying")
    String underlying;

    @Id
    @Column(name = "version")
    long version;

    @Id
    @Column(name = "expiry_date")
    LocalDate expiryDate;

    @Column(name = "expiry", nullable = false)
    Instant expiry;

    @Column(name = "years", nullable = false)
    double years;

    @Column(name = "forward", nullable = false)
    double forward;

    /** Null when a replica of the version before bases stored the slice: it was fitted against the index. */
    @Column(name = "index_at_fit")
    Double indexAtFit;

    @Column(name = "a", nullable = false)
    double a;

    @Column(name = "b", nullable = false)
    double b;

    @Column(name = "rho", nullable = false)
    double rho;

    @Column(name = "m", nullable = false)
    double m;

    @Column(name = "sigma", nullable = false)
    double sigma;

    @Column(name = "rms_vol_error", nullable = false)
    double rmsVolError;

    @Column(name = "quote_count", nullable = false)
    int quoteCount;

    public static class Key implements Serializable {
        String underlying;
        long version;
        LocalDate expiryDate;

        public Key() {
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(underlying, k.underlying) && version == k.version
                    && Objects.equals(expiryDate, k.expiryDate);
        }

        @Override
        public int hashCode() {
            return Objects.hash(underlying, version, expiryDate);
        }
    }
}
