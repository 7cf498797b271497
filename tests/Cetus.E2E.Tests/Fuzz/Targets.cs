using System.Text.Json.Nodes;

namespace Cetus.E2E.Tests.Fuzz;

/// <summary>A resource the fuzz corpus writes to: its collection path, and an object of it that exists (or null).</summary>
public sealed record Target(string Kind, string ApiVersion, string Collection, string? Existing)
{
    public string Object(string name) => $"{Collection}/{name}";

    /// <summary>A valid object of this kind, richer than needed so that decoding touches many field types.</summary>
    public JsonObject Manifest(string name) => Targets.Manifest(this, name);
}

/// <summary>The resources, the namespace and the objects the fuzz corpus aims at; <see cref="FuzzServerFixture"/> creates them.</summary>
public static class Targets
{
    public const string Namespace = "fuzz";

    /// <summary>The name of the object of each seeded kind that exists.</summary>
    public const string ExistingName = "target";

    public static readonly Target ConfigMaps = new("ConfigMap", "v1", $"/api/v1/namespaces/{Namespace}/configmaps", ExistingName);
    public static readonly Target Deployments = new("Deployment", "apps/v1", $"/apis/apps/v1/namespaces/{Namespace}/deployments", ExistingName);
    public static readonly Target Secrets = new("Secret", "v1", $"/api/v1/namespaces/{Namespace}/secrets", ExistingName);
    public static readonly Target Pods = new("Pod", "v1", $"/api/v1/namespaces/{Namespace}/pods", null);
    public static readonly Target Services = new("Service", "v1", $"/api/v1/namespaces/{Namespace}/services", null);
    public static readonly Target Leases = new("Lease", "coordination.k8s.io/v1", $"/apis/coordination.k8s.io/v1/namespaces/{Namespace}/leases", null);
    public static readonly Target Namespaces = new("Namespace", "v1", "/api/v1/namespaces", Namespace);
    public static readonly Target Nodes = new("Node", "v1", "/api/v1/nodes", null);

    public static readonly IReadOnlyList<Target> All = [ConfigMaps, Deployments, Secrets, Pods, Services, Leases, Namespaces, Nodes];

    /// <summary>The kinds with an object to update and patch.</summary>
    public static readonly IReadOnlyList<Target> Seeded = [ConfigMaps, Deployments, Secrets];

    /// <summary>Every list the fuzzing must leave as it was: the namespaced kinds in the namespace, and the cluster-scoped kinds.</summary>
    public static readonly IReadOnlyList<string> Watched =
    [
        $"/api/v1/namespaces/{Namespace}/configmaps",
        $"/api/v1/namespaces/{Namespace}/secrets",
        $"/api/v1/namespaces/{Namespace}/pods",
        $"/api/v1/namespaces/{Namespace}/services",
        $"/api/v1/namespaces/{Namespace}/endpoints",
        $"/api/v1/namespaces/{Namespace}/serviceaccounts",
        $"/api/v1/namespaces/{Namespace}/events",
        $"/apis/apps/v1/namespaces/{Namespace}/deployments",
        $"/apis/apps/v1/namespaces/{Namespace}/replicasets",
        $"/apis/coordination.k8s.io/v1/namespaces/{Namespace}/leases",
        $"/apis/events.k8s.io/v1/namespaces/{Namespace}/events",
        "/api/v1/namespaces",
        "/api/v1/nodes",
    ];

    public static JsonObject Manifest(Target target, string name)
    {
        var manifest = new JsonObject
        {
            ["apiVersion"] = target.ApiVersion,
            ["kind"] = target.Kind,
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["labels"] = new JsonObject { ["app"] = "fuzz", ["tier"] = "fe" },
                ["annotations"] = new JsonObject { ["note"] = "fuzzing" },
            },
        };
        foreach (var (key, value) in Body(target.Kind))
        {
            manifest[key] = value?.DeepClone();
        }

        return manifest;
    }

    private static JsonObject Body(string kind) => kind switch
    {
        "ConfigMap" => new JsonObject
        {
            ["data"] = new JsonObject { ["k"] = "v", ["multi"] = "a\nb" },
            ["binaryData"] = new JsonObject { ["b"] = "AAEC" },
        },
        "Secret" => new JsonObject
        {
            ["type"] = "Opaque",
            ["data"] = new JsonObject { ["password"] = "c2VjcmV0" },
            ["stringData"] = new JsonObject { ["user"] = "admin" },
        },
        "Deployment" => new JsonObject
        {
            ["spec"] = new JsonObject
            {
                ["replicas"] = 2,
                ["minReadySeconds"] = 5,
                ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = "fuzz" } },
                ["strategy"] = new JsonObject
                {
                    ["type"] = "RollingUpdate",
                    ["rollingUpdate"] = new JsonObject { ["maxSurge"] = "25%", ["maxUnavailable"] = 1 },
                },
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = "fuzz" } },
                    ["spec"] = PodSpec(),
                },
            },
        },
        "Pod" => new JsonObject { ["spec"] = PodSpec() },
        "Service" => new JsonObject
        {
            ["spec"] = new JsonObject
            {
                ["type"] = "ClusterIP",
                ["selector"] = new JsonObject { ["app"] = "fuzz" },
                ["ports"] = new JsonArray(new JsonObject { ["name"] = "http", ["port"] = 80, ["targetPort"] = "http", ["protocol"] = "TCP" }),
            },
        },
        "Lease" => new JsonObject
        {
            ["spec"] = new JsonObject
            {
                ["holderIdentity"] = "fuzzer",
                ["leaseDurationSeconds"] = 15,
                ["renewTime"] = "2026-01-01T00:00:00.000000Z",
            },
        },
        "Node" => new JsonObject
        {
            ["spec"] = new JsonObject { ["podCIDR"] = "10.244.0.0/24" },
            ["status"] = new JsonObject { ["capacity"] = new JsonObject { ["cpu"] = "4", ["memory"] = "8Gi" } },
        },
        _ => [],
    };

    private static JsonObject PodSpec() => new()
    {
        ["terminationGracePeriodSeconds"] = 30,
        ["containers"] = new JsonArray(new JsonObject
        {
            ["name"] = "app",
            ["image"] = "nginx:1.27",
            ["args"] = new JsonArray("--port", "80"),
            ["ports"] = new JsonArray(new JsonObject { ["name"] = "http", ["containerPort"] = 80, ["protocol"] = "TCP" }),
            ["env"] = new JsonArray(new JsonObject { ["name"] = "MODE", ["value"] = "fuzz" }),
            ["resources"] = new JsonObject
            {
                ["limits"] = new JsonObject { ["cpu"] = "500m", ["memory"] = "128Mi" },
                ["requests"] = new JsonObject { ["cpu"] = "100m", ["memory"] = "64Mi" },
            },
            ["readinessProbe"] = new JsonObject
            {
                ["httpGet"] = new JsonObject { ["path"] = "/healthz", ["port"] = 80 },
                ["periodSeconds"] = 10,
            },
        }),
    };
}
