using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Cetus.Api.Resources;
using Cetus.Api.Scheme;
using Cetus.ApiServer.OpenApi;
using Xunit;
using Xunit.Abstractions;

namespace Cetus.ApiServer.Tests.OpenApi;

public sealed class OpenApiV3BuilderTests(ITestOutputHelper output)
{
    private static readonly OpenApiV3Builder Shared = new(BuiltInResources.Create());

    private static JsonObject Core => Shared.Find("api/v1")!.ToJsonObject();

    private static JsonObject Apps => Shared.Find("apis/apps/v1")!.ToJsonObject();

    [Fact]
    public void Root_ListsEveryGroupVersion_WithItsHashedUrl()
    {
        var root = JsonNode.Parse(Shared.Root)!["paths"]!.AsObject();

        Assert.Equal(["api/v1", "apis/apps/v1", "apis/authentication.k8s.io/v1", "apis/authorization.k8s.io/v1", "apis/certificates.k8s.io/v1", "apis/coordination.k8s.io/v1", "apis/events.k8s.io/v1", "apis/policy/v1", "apis/rbac.authorization.k8s.io/v1", "apis/scheduling.k8s.io/v1"], root.Select(p => p.Key));
        foreach (var (path, entry) in root)
        {
            var document = Shared.Find(path)!;
            Assert.Equal($"/openapi/v3/{path}?hash={document.Hash}", (string?)entry!["serverRelativeURL"]);
            Assert.Equal(Convert.ToHexString(SHA512.HashData(document.Json)), document.Hash);
            Assert.Matches("^[0-9A-F]{128}$", document.Hash);
        }

        Assert.Equal(Convert.ToHexString(SHA512.HashData(Shared.Root)), Shared.RootHash);
    }

    [Fact]
    public void Document_IsOpenApi300_WithInfo()
    {
        var core = Core;

        Assert.Equal("3.0.0", (string?)core["openapi"]);
        Assert.Equal("Kubernetes", (string?)core["info"]!["title"]);
    }

    [Fact]
    public void PodSchema_HasItsKindDescriptionAndFieldReferences()
    {
        var pod = Core["components"]!["schemas"]!["io.k8s.api.core.v1.Pod"]!;

        Assert.Equal("object", (string?)pod["type"]);
        Assert.StartsWith("Pod is a collection of containers that can run on a host.", (string?)pod["description"], StringComparison.Ordinal);
        var gvk = Assert.Single(pod["x-kubernetes-group-version-kind"]!.AsArray())!;
        Assert.Equal(("", "Pod", "v1"), ((string?)gvk["group"], (string?)gvk["kind"], (string?)gvk["version"]));
        Assert.Equal(["apiVersion", "kind", "metadata", "spec", "status"], pod["properties"]!.AsObject().Select(p => p.Key));
        Assert.Equal("#/components/schemas/io.k8s.api.core.v1.PodSpec", (string?)pod["properties"]!["spec"]!["$ref"]);
        Assert.Equal("#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", (string?)pod["properties"]!["metadata"]!["$ref"]);
        Assert.Contains("spec-and-status", (string?)pod["properties"]!["spec"]!["description"], StringComparison.Ordinal);
    }

    [Fact]
    public void RequiredFields_AreListed()
    {
        var schemas = Core["components"]!["schemas"]!;

        Assert.Equal(["name"], Strings(schemas["io.k8s.api.core.v1.Container"]!["required"]));
        Assert.Equal(["containers"], Strings(schemas["io.k8s.api.core.v1.PodSpec"]!["required"]));
        Assert.Equal(["items"], Strings(schemas["io.k8s.api.core.v1.PodList"]!["required"]));
        Assert.Null(schemas["io.k8s.api.core.v1.ConfigMap"]!["required"]);
        Assert.Equal(["selector", "template"], Strings(Apps["components"]!["schemas"]!["io.k8s.api.apps.v1.DeploymentSpec"]!["required"]));
    }

    [Fact]
    public void FieldTypes_FollowTheWireFormat()
    {
        var schemas = Core["components"]!["schemas"]!;
        var meta = schemas["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]!["properties"]!;
        var container = schemas["io.k8s.api.core.v1.Container"]!["properties"]!;

        Assert.Equal("#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Time", (string?)meta["creationTimestamp"]!["$ref"]);
        Assert.Equal(("integer", "int64"), ((string?)meta["generation"]!["type"], (string?)meta["generation"]!["format"]));
        Assert.Equal("string", (string?)meta["labels"]!["additionalProperties"]!["type"]);
        Assert.Equal("object", (string?)meta["labels"]!["type"]);
        Assert.Equal("array", (string?)container["ports"]!["type"]);
        Assert.Equal("#/components/schemas/io.k8s.api.core.v1.ContainerPort", (string?)container["ports"]!["items"]!["$ref"]);
        Assert.Equal(("boolean", null), ((string?)container["tty"]!["type"], (string?)container["tty"]!["format"]));
        Assert.Equal(("integer", "int32"), ((string?)schemas["io.k8s.api.core.v1.ContainerPort"]!["properties"]!["containerPort"]!["type"], (string?)schemas["io.k8s.api.core.v1.ContainerPort"]!["properties"]!["containerPort"]!["format"]));
        Assert.Equal("#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString", (string?)schemas["io.k8s.api.core.v1.HTTPGetAction"]!["properties"]!["port"]!["$ref"]);
        Assert.Equal(true, (bool?)schemas["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]!["x-kubernetes-int-or-string"]);
        Assert.Equal("#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity", (string?)schemas["io.k8s.api.core.v1.ResourceRequirements"]!["properties"]!["limits"]!["additionalProperties"]!["$ref"]);
        Assert.Equal("byte", (string?)schemas["io.k8s.api.core.v1.Secret"]!["properties"]!["data"]!["additionalProperties"]!["format"]);
        Assert.Equal(("string", "date-time"), ((string?)schemas["io.k8s.apimachinery.pkg.apis.meta.v1.Time"]!["type"], (string?)schemas["io.k8s.apimachinery.pkg.apis.meta.v1.Time"]!["format"]));
    }

    [Fact]
    public void StrategicMergeKeys_ArePublished()
    {
        var containers = Core["components"]!["schemas"]!["io.k8s.api.core.v1.PodSpec"]!["properties"]!["containers"]!;

        Assert.Equal("name", (string?)containers["x-kubernetes-patch-merge-key"]);
        Assert.Equal("merge", (string?)containers["x-kubernetes-patch-strategy"]);
    }

    [Fact]
    public void PatchOnNamespacedPod_TakesFieldValidation_AndEveryPatchContentType()
    {
        var item = Core["paths"]!["/api/v1/namespaces/{namespace}/pods/{name}"]!;
        var patch = item["patch"]!;

        Assert.Equal("patch", (string?)patch["x-kubernetes-action"]);
        Assert.Equal("patchCoreV1NamespacedPod", (string?)patch["operationId"]);
        Assert.Equal(("", "Pod", "v1"), ((string?)patch["x-kubernetes-group-version-kind"]!["group"], (string?)patch["x-kubernetes-group-version-kind"]!["kind"], (string?)patch["x-kubernetes-group-version-kind"]!["version"]));
        Assert.Equal(["dryRun", "fieldManager", "fieldValidation", "force"], patch["parameters"]!.AsArray().Select(p => (string?)p!["name"]));
        Assert.All(patch["parameters"]!.AsArray(), p => Assert.Equal("query", (string?)p!["in"]));
        Assert.Equal(
            ["application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json"],
            patch["requestBody"]!["content"]!.AsObject().Select(c => c.Key));
        Assert.Equal(["name", "namespace", "pretty"], item["parameters"]!.AsArray().Select(p => (string?)p!["name"]));
        Assert.Equal(["delete", "get", "parameters", "patch", "put"], item.AsObject().Select(p => p.Key));
    }

    [Fact]
    public void EveryPatchableKind_HasAPatchOperationWithFieldValidation_InItsOwnDocument()
    {
        var registry = BuiltInResources.Create();

        foreach (var resource in registry.All.Where(r => r.Verbs.Contains("patch")))
        {
            var document = Shared.Find(OpenApiPaths.Prefix(resource.Group, resource.Version).TrimStart('/'))!.ToJsonObject();
            var patches = document["paths"]!.AsObject()
                .Select(p => p.Value!["patch"])
                .Where(op => op is not null && Matches(op["x-kubernetes-group-version-kind"]!, resource.GroupVersionKind))
                .ToList();
            Assert.True(patches.Count > 0, $"no PATCH for {resource.GroupVersionKind}");
            Assert.All(patches, op => Assert.Contains("fieldValidation", op!["parameters"]!.AsArray().Select(p => (string?)p!["name"])));
        }
    }

    [Fact]
    public void CollectionsAndSubresources_HaveTheirOperations()
    {
        var core = Core["paths"]!;
        var apps = Apps["paths"]!;

        Assert.Equal("list", (string?)core["/api/v1/pods"]!["get"]!["x-kubernetes-action"]);
        Assert.Equal("listCoreV1PodForAllNamespaces", (string?)core["/api/v1/pods"]!["get"]!["operationId"]);
        Assert.Equal(["get", "parameters"], core["/api/v1/pods"]!.AsObject().Select(p => p.Key));
        Assert.Equal(["delete", "get", "parameters", "post"], core["/api/v1/namespaces/{namespace}/pods"]!.AsObject().Select(p => p.Key));
        Assert.Equal("deletecollection", (string?)core["/api/v1/namespaces/{namespace}/pods"]!["delete"]!["x-kubernetes-action"]);
        Assert.Contains("watch", core["/api/v1/namespaces/{namespace}/pods"]!["get"]!["parameters"]!.AsArray().Select(p => (string?)p!["name"]));
        Assert.NotNull(core["/api/v1/nodes/{name}"]);
        Assert.Null(core["/api/v1/namespaces/{namespace}/nodes"]);
        Assert.Equal("Pod", (string?)core["/api/v1/namespaces/{namespace}/pods/{name}/status"]!["patch"]!["x-kubernetes-group-version-kind"]!["kind"]);
        Assert.Equal("Binding", (string?)core["/api/v1/namespaces/{namespace}/pods/{name}/binding"]!["post"]!["x-kubernetes-group-version-kind"]!["kind"]);
        Assert.Equal("Eviction", (string?)core["/api/v1/namespaces/{namespace}/pods/{name}/eviction"]!["post"]!["x-kubernetes-group-version-kind"]!["kind"]);
        Assert.NotNull(core["/api/v1/namespaces/{name}/finalize"]!["put"]);
        var scale = apps["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"]!["patch"]!;
        Assert.Equal(("autoscaling", "Scale"), ((string?)scale["x-kubernetes-group-version-kind"]!["group"], (string?)scale["x-kubernetes-group-version-kind"]!["kind"]));
        Assert.Equal("patchAppsV1NamespacedDeploymentScale", (string?)scale["operationId"]);
        Assert.NotNull(Apps["components"]!["schemas"]!["io.k8s.api.autoscaling.v1.Scale"]);
    }

    [Fact]
    public void EveryReference_ResolvesWithinItsDocument()
    {
        foreach (var document in Shared.Documents.Values)
        {
            var json = document.ToJsonObject();
            var schemas = json["components"]!["schemas"]!.AsObject();
            var references = new List<string>();
            Collect(json, references);

            Assert.NotEmpty(references);
            Assert.All(references, r =>
            {
                Assert.StartsWith("#/components/schemas/", r, StringComparison.Ordinal);
                Assert.True(schemas.ContainsKey(r["#/components/schemas/".Length..]), $"{document.Path}: {r} does not resolve");
            });
        }
    }

    [Fact]
    public void SharedTypes_KeepTheirUpstreamPackage_InEveryDocument()
    {
        var apps = Apps["components"]!["schemas"]!.AsObject();
        var events = Shared.Find("apis/events.k8s.io/v1")!.ToJsonObject()["components"]!["schemas"]!.AsObject();

        Assert.Contains("io.k8s.api.core.v1.PodTemplateSpec", apps.Select(s => s.Key));
        Assert.Contains("io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector", apps.Select(s => s.Key));
        Assert.Contains("io.k8s.api.apps.v1.RollingUpdateDeployment", apps.Select(s => s.Key));
        Assert.Contains("io.k8s.api.events.v1.Event", events.Select(s => s.Key));
        Assert.DoesNotContain("io.k8s.api.core.v1.Event", events.Select(s => s.Key));
        Assert.All(apps.Concat(events).Select(s => s.Key), name => Assert.Matches(@"^io\.k8s\.(api\.[a-z]+\.v1|apimachinery\.pkg\.(apis\.meta\.v1|api\.resource|util\.intstr))\.[A-Z]\w*$", name));
    }

    [Fact]
    public void SameRegistry_GivesTheSameBytes_AndAChangedGroupVersion_GetsANewHash()
    {
        var full = BuiltInResources.Create();
        var withoutSecrets = new ResourceRegistry();
        foreach (var resource in full.All.Where(r => r.Plural != "secrets"))
        {
            withoutSecrets.Register(resource);
        }

        var again = new OpenApiV3Builder(full);
        var changed = new OpenApiV3Builder(withoutSecrets);

        Assert.Equal(Shared.Root, again.Root);
        Assert.Equal(Shared.Find("api/v1")!.Hash, again.Find("api/v1")!.Hash);
        Assert.NotEqual(Shared.Find("api/v1")!.Hash, changed.Find("api/v1")!.Hash);
        Assert.Equal(Shared.Find("apis/apps/v1")!.Hash, changed.Find("apis/apps/v1")!.Hash);
        Assert.NotEqual(Shared.RootHash, changed.RootHash);
        Assert.Null(changed.Find("api/v1")!.ToJsonObject()["paths"]!["/api/v1/namespaces/{namespace}/secrets"]);
    }

    [Fact]
    public void Documents_AreBuiltOnce_AndQuickly()
    {
        var builder = new OpenApiV3Builder(BuiltInResources.Create());

        var watch = Stopwatch.StartNew();
        var first = builder.Root;
        var elapsed = watch.Elapsed;
        output.WriteLine($"first build: {elapsed.TotalMilliseconds:F0} ms, {builder.Documents.Values.Sum(d => d.Json.Length)} bytes");

        Assert.Same(first, builder.Root);
        Assert.Same(builder.Find("api/v1"), builder.Find("/api/v1/"));
        // Measured at ~0.2 s cold in Release and ~0.9 s in Debug; the bound only catches a pathological slowdown on a busy CI machine.
        Assert.True(elapsed < TimeSpan.FromSeconds(5), $"building took {elapsed}");
    }

    private static bool Matches(JsonNode gvk, GroupVersionKind expected) =>
        (string?)gvk["group"] == expected.Group && (string?)gvk["version"] == expected.Version && (string?)gvk["kind"] == expected.Kind;

    private static IEnumerable<string?> Strings(JsonNode? array) => array!.AsArray().Select(n => (string?)n);

    private static void Collect(JsonNode? node, List<string> references)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    if (key == "$ref")
                    {
                        references.Add((string)value!);
                    }
                    else
                    {
                        Collect(value, references);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Collect(item, references);
                }

                break;
        }
    }
}
