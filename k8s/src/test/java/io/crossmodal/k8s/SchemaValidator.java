package io.crossmodal.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.gson.annotations.SerializedName;
import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.custom.Quantity;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Strict validation of one Kubernetes object against the API schema, as a server-side strict field validation
 * would do it: unknown fields, values of the wrong JSON type and missing required fields are errors.
 *
 * <p>The schema is the one the official Kubernetes Java client ({@code io.kubernetes:client-java-api}) was generated
 * from (the Kubernetes OpenAPI spec): each model class lists its JSON field names ({@code openapiFields}) and
 * required fields ({@code openapiRequiredFields}), and its Java fields give each field's type. The walker below
 * reads those reflectively and checks the object tree against them, recursively. A few fields the API server
 * requires although the OpenAPI spec does not mark them (a container's image in a pod template, an object's name)
 * are added in {@link #EXTRA_REQUIRED}.
 */
public final class SchemaValidator {
    private static final String MODELS = "io.kubernetes.client.openapi.models.";

    /** apiVersion -> kinds this stack may use; anything else has no schema here and is an error. */
    private static final Map<String, Set<String>> KNOWN = Map.of(
            "v1", Set.of("Namespace", "ServiceAccount", "ConfigMap", "Secret", "Service", "PersistentVolumeClaim",
                    "Pod", "LimitRange", "ResourceQuota"),
            "apps/v1", Set.of("Deployment", "StatefulSet", "DaemonSet"),
            "batch/v1", Set.of("Job", "CronJob"),
            "policy/v1", Set.of("PodDisruptionBudget"),
            "autoscaling/v2", Set.of("HorizontalPodAutoscaler"),
            "networking.k8s.io/v1", Set.of("NetworkPolicy", "Ingress"),
            "rbac.authorization.k8s.io/v1", Set.of("Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"));

    /** Required by API server validation but not marked required in the OpenAPI spec. */
    private static final Map<String, Set<String>> EXTRA_REQUIRED = Map.of("V1Container", Set.of("image"));

    /** Kubernetes resource.Quantity: number with an optional binary-SI, decimal-SI or exponent suffix. */
    private static final Pattern QUANTITY = Pattern.compile(
            "[+-]?(\\d+(\\.\\d*)?|\\.\\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\\d+)?");

    private static final Map<Class<?>, Model> MODELS_CACHE = new ConcurrentHashMap<>();

    private SchemaValidator() {
    }

    /** The model class of an apiVersion + kind, or null when this validator has no schema for it. */
    static Class<?> modelClass(String apiVersion, String kind) {
        Set<String> kinds = apiVersion == null ? null : KNOWN.get(apiVersion);
        if (kinds == null || kind == null || !kinds.contains(kind)) {
            return null;
        }
        String version = apiVersion.substring(apiVersion.indexOf('/') + 1); // "v1", "v2"
        try {
            return Class.forName(MODELS + "V" + version.substring(1) + kind);
        } catch (ClassNotFoundException e) {
            return null;
        }
    }

    /** Errors of one object ("<kind>/<name>: <path>: <problem>"); empty when it is valid. */
    public static List<String> validate(JsonNode object) {
        List<String> errors = new ArrayList<>();
        String apiVersion = text(object.get("apiVersion"));
        String kind = text(object.get("kind"));
        String name = text(object.path("metadata").get("name"));
        String id = kind + "/" + name;
        if (!object.isObject()) {
            errors.add("document is not an object: " + object);
            return errors;
        }
        Class<?> cls = modelClass(apiVersion, kind);
        if (cls == null) {
            errors.add(id + ": no schema for apiVersion '" + apiVersion + "' kind '" + kind + "'");
            return errors;
        }
        if (name == null || name.isEmpty()) {
            errors.add(id + ": metadata.name: missing required field");
        }
        List<String> found = new ArrayList<>();
        checkObject(object, cls, "", found);
        found.forEach(e -> errors.add(id + ": " + e));
        return errors;
    }

    private static void checkObject(JsonNode node, Class<?> cls, String path, List<String> errors) {
        if (!node.isObject()) {
            errors.add(at(path) + "expected an object (" + cls.getSimpleName() + "), got " + type(node));
            return;
        }
        Model model = model(cls);
        for (String req : model.required) {
            JsonNode v = node.get(req);
            if (v == null || v.isNull()) {
                errors.add(at(join(path, req)) + "missing required field");
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Field f = model.fields.get(e.getKey());
            if (f == null) {
                errors.add(at(join(path, e.getKey())) + "unknown field (not in " + cls.getSimpleName() + ")");
                continue;
            }
            checkValue(e.getValue(), f.getGenericType(), join(path, e.getKey()), errors);
        }
    }

    private static void checkValue(JsonNode v, Type t, String path, List<String> errors) {
        if (v.isNull()) {
            return; // the API treats null as "not set" (kustomize emits creationTimestamp: null)
        }
        Class<?> raw = t instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) t;
        boolean ok;
        if (raw == String.class) {
            ok = v.isTextual();
        } else if (raw == Integer.class || raw == int.class) {
            ok = v.isIntegralNumber() && v.canConvertToInt();
        } else if (raw == Long.class || raw == long.class) {
            ok = v.isIntegralNumber() && v.canConvertToLong();
        } else if (raw == Double.class || raw == Float.class || raw == java.math.BigDecimal.class) {
            ok = v.isNumber();
        } else if (raw == Boolean.class || raw == boolean.class) {
            ok = v.isBoolean();
        } else if (raw == IntOrString.class) {
            ok = v.isTextual() || (v.isIntegralNumber() && v.canConvertToInt());
        } else if (raw == Quantity.class) {
            ok = v.isNumber() || (v.isTextual() && QUANTITY.matcher(v.asText()).matches());
            if (!ok) {
                errors.add(at(path) + "expected a quantity (e.g. 500m, 2, 1Gi), got " + type(v) + " " + v);
                return;
            }
        } else if (raw == OffsetDateTime.class || raw == byte[].class) {
            ok = v.isTextual();
        } else if (raw == Object.class) {
            ok = true; // free-form (RawExtension, JSON)
        } else if (List.class.isAssignableFrom(raw)) {
            if (!v.isArray()) {
                errors.add(at(path) + "expected an array, got " + type(v));
                return;
            }
            Type el = ((ParameterizedType) t).getActualTypeArguments()[0];
            for (int i = 0; i < v.size(); i++) {
                checkValue(v.get(i), el, path + "[" + i + "]", errors);
            }
            return;
        } else if (Map.class.isAssignableFrom(raw)) {
            if (!v.isObject()) {
                errors.add(at(path) + "expected an object (map), got " + type(v));
                return;
            }
            Type val = ((ParameterizedType) t).getActualTypeArguments()[1];
            for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                checkValue(e.getValue(), val, path + "[" + e.getKey() + "]", errors);
            }
            return;
        } else if (raw.getName().startsWith(MODELS)) {
            checkObject(v, raw, path, errors);
            return;
        } else {
            errors.add(at(path) + "no rule for Java type " + raw.getName() + " (validator incomplete)");
            return;
        }
        if (!ok) {
            errors.add(at(path) + "expected " + expected(raw) + ", got " + type(v) + " " + v);
        }
    }

    private record Model(Map<String, Field> fields, Set<String> required) {
    }

    @SuppressWarnings("unchecked")
    private static Model model(Class<?> cls) {
        return MODELS_CACHE.computeIfAbsent(cls, c -> {
            try {
                Set<String> names = (Set<String>) c.getField("openapiFields").get(null);
                Set<String> required = new java.util.HashSet<>((Set<String>) c.getField("openapiRequiredFields").get(null));
                required.addAll(EXTRA_REQUIRED.getOrDefault(c.getSimpleName(), Set.of()));
                Map<String, Field> fields = new HashMap<>();
                for (Field f : c.getDeclaredFields()) {
                    SerializedName sn = f.getAnnotation(SerializedName.class);
                    if (sn != null && !Modifier.isStatic(f.getModifiers())) {
                        fields.put(sn.value(), f);
                    }
                }
                if (!fields.keySet().equals(names)) {
                    throw new IllegalStateException(c.getSimpleName() + ": serialized fields " + fields.keySet()
                            + " differ from openapiFields " + names);
                }
                return new Model(Map.copyOf(fields), Set.copyOf(required));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("not an OpenAPI model class: " + c.getName(), e);
            }
        });
    }

    private static String expected(Class<?> raw) {
        if (raw == String.class || raw == OffsetDateTime.class || raw == byte[].class) {
            return "a string";
        }
        if (raw == Boolean.class || raw == boolean.class) {
            return "a boolean";
        }
        if (raw == IntOrString.class) {
            return "an integer or a string";
        }
        return raw == Double.class || raw == Float.class ? "a number" : "an integer";
    }

    private static String type(JsonNode v) {
        return switch (v.getNodeType()) {
            case STRING -> "string";
            case NUMBER -> v.isIntegralNumber() ? "integer" : "number";
            case BOOLEAN -> "boolean";
            case ARRAY -> "array";
            case OBJECT -> "object";
            default -> v.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    private static String at(String path) {
        return path + ": ";
    }

    static String text(JsonNode n) {
        return n == null || n.isNull() ? null : n.asText();
    }
}
