package org.fleetup.network.internal;

import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import org.fleetup.api.FleetupException;
import org.fleetup.api.transport.Transport;
import org.fleetup.api.transport.TransportInfo;
import org.fleetup.api.transport.TransportRegistry;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transports usable right now, by URI scheme. Transport services are followed dynamically: one that is
 * registered serves its schemes at once, one that goes away is forgotten at once, with no restart of anything.
 * When several transports serve one scheme, the one with the highest service ranking wins (then the oldest), as
 * OSGi orders services.
 */
@Component(service = TransportRegistry.class)
public final class ServiceTransportRegistry implements TransportRegistry {

    private static final Logger LOGGER = LoggerFactory.getLogger(ServiceTransportRegistry.class);

    private static final String TRANSPORT_FEATURE_PREFIX = "fleetup-transport-";

    /** Scheme (lower case) to the transports offering it, best first; lists are immutable and replaced whole. */
    private final ConcurrentMap<String, List<TransportOffer>> offersByScheme = new ConcurrentHashMap<>();

    @Reference(service = Transport.class,
            cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY,
            unbind = "unbindTransport",
            updated = "updatedTransport")
    void bindTransport(Transport transport, ServiceReference<Transport> reference) {
        TransportOffer offer = TransportOffer.of(transport, reference);
        if (offer.schemes().isEmpty()) {
            LOGGER.warn("Transport service {} from bundle {} has no {} property; it serves nothing",
                    offer.serviceId(), offer.bundle(), Transport.SCHEME);
            return;
        }
        offer.schemes().forEach(scheme -> offersByScheme.merge(scheme, List.of(offer), ServiceTransportRegistry::merged));
        LOGGER.info("Transport for {} available, from bundle {}", offer.schemes(), offer.bundle());
    }

    void unbindTransport(Transport transport, ServiceReference<Transport> reference) {
        long serviceId = TransportOffer.serviceId(reference);
        // The scheme property may have changed since bind, so look everywhere rather than by the current value.
        for (String scheme : List.copyOf(offersByScheme.keySet())) {
            offersByScheme.computeIfPresent(scheme, (key, offers) -> without(offers, serviceId));
        }
        LOGGER.info("Transport service {} from bundle {} gone", serviceId, TransportOffer.bundleName(reference));
    }

    void updatedTransport(Transport transport, ServiceReference<Transport> reference) {
        unbindTransport(transport, reference);
        bindTransport(transport, reference);
    }

    @Override
    public Transport transportFor(URI address) {
        if (address == null || address.getScheme() == null) {
            throw new FleetupException(FleetupException.SERVER_INVALID,
                    "Server address " + (address == null ? "(none)" : "'" + printable(address) + "'")
                            + " has no scheme; write it as a URI such as ssh://host:22");
        }
        String scheme = address.getScheme().toLowerCase(Locale.ROOT);
        List<TransportOffer> offers = offersByScheme.get(scheme);
        if (offers == null || offers.isEmpty()) {
            throw new FleetupException(FleetupException.TRANSPORT_MISSING,
                    "No transport for scheme " + scheme + " (server address " + printable(address) + "). Install one, "
                            + "e.g. feature:install " + TRANSPORT_FEATURE_PREFIX + scheme + availableNow());
        }
        return offers.get(0).transport();
    }

    @Override
    public Map<String, String> schemes() {
        SortedMap<String, String> schemes = new TreeMap<>();
        offersByScheme.forEach((scheme, offers) -> {
            if (!offers.isEmpty()) {
                schemes.put(scheme, offers.get(0).bundle());
            }
        });
        return schemes;
    }

    @Override
    public List<TransportInfo> transports() {
        List<TransportInfo> transports = new ArrayList<>();
        new TreeMap<>(offersByScheme).forEach((scheme, offers) -> {
            if (!offers.isEmpty()) {
                TransportOffer best = offers.get(0);
                transports.add(new TransportInfo(scheme, best.bundle(), best.version()));
            }
        });
        return List.copyOf(transports);
    }

    private String availableNow() {
        Collection<String> schemes = schemes().keySet();
        return schemes.isEmpty() ? " (no transport is installed at all)" : " (transports installed for: "
                + String.join(", ", schemes) + ")";
    }

    private static List<TransportOffer> merged(List<TransportOffer> current, List<TransportOffer> added) {
        List<TransportOffer> offers = new ArrayList<>(current);
        offers.addAll(added);
        offers.sort(TransportOffer.BEST_FIRST);
        return List.copyOf(offers);
    }

    /** Returns null when nothing is left, which removes the scheme. */
    private static List<TransportOffer> without(List<TransportOffer> offers, long serviceId) {
        List<TransportOffer> left = offers.stream().filter(offer -> offer.serviceId() != serviceId).toList();
        return left.isEmpty() ? null : left;
    }

    /** The address without any password that was put in its user info. */
    private static String printable(URI address) {
        String userInfo = address.getRawUserInfo();
        if (userInfo == null || !userInfo.contains(":")) {
            return address.toString();
        }
        return address.toString().replace(userInfo + "@", userInfo.substring(0, userInfo.indexOf(':')) + ":***@");
    }

    /** One transport service as registered: what it is, what it serves, where it comes from. */
    record TransportOffer(Transport transport, List<String> schemes, String bundle, String version, long serviceId,
                          int ranking) {

        static final Comparator<TransportOffer> BEST_FIRST = Comparator.comparingInt(TransportOffer::ranking)
                .reversed()
                .thenComparingLong(TransportOffer::serviceId);

        static TransportOffer of(Transport transport, ServiceReference<Transport> reference) {
            Object ranking = reference.getProperty(Constants.SERVICE_RANKING);
            return new TransportOffer(transport, schemes(reference.getProperty(Transport.SCHEME)),
                    bundleName(reference), bundleVersion(reference), serviceId(reference),
                    ranking instanceof Integer value ? value : 0);
        }

        static long serviceId(ServiceReference<?> reference) {
            return reference.getProperty(Constants.SERVICE_ID) instanceof Long id ? id : -1L;
        }

        static String bundleName(ServiceReference<?> reference) {
            Bundle bundle = reference.getBundle();
            return bundle == null || bundle.getSymbolicName() == null ? "(unknown bundle)" : bundle.getSymbolicName();
        }

        /** Taken when the service comes: a bundle updated to a new version registers its transport again. */
        static String bundleVersion(ServiceReference<?> reference) {
            Bundle bundle = reference.getBundle();
            return bundle == null ? null : bundle.getVersion().toString();
        }

        /** The scheme property may be a String, a String[] or a Collection, as OSGi service properties are. */
        static List<String> schemes(Object property) {
            Collection<?> values;
            if (property instanceof Object[] array) {
                values = Arrays.asList(array);
            } else if (property instanceof Collection<?> collection) {
                values = collection;
            } else if (property != null) {
                values = List.of(property);
            } else {
                values = List.of();
            }
            return values.stream()
                    .filter(Objects::nonNull)
                    .map(String::valueOf)
                    .map(String::strip)
                    .filter(scheme -> !scheme.isEmpty())
                    .map(scheme -> scheme.toLowerCase(Locale.ROOT))
                    .distinct()
                    .toList();
        }
    }
}
