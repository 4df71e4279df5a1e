package dev.crosschain.pricing.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

/** One accepted surface of an underlying; its slices are {@link VolSliceEntity} rows. */
@Entity
@Table(name = "vol_surface")
@IdClass(VolSurfaceEntity.Key.class)
class VolSurfaceEntity {

    @Id
    @Column(name = "underlying")
    String underlying;

    @Id
    @Column(name = "version")
    long version;

    @Column(name = "fitted_at", nullable = false)
    Instant fittedAt;

    @Column(name = "stored_at", nullable = false)
    Instant storedAt;

    public static class Key implements Serializable {
        String underlying;
        long version;

        public Key() {
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(underlying, k.underlying) && version == k.version;
        }

        @Override
        public int hashCode() {
            return Objects.hash(underlying, version);
        }
    }
}
