using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Cetus.Api.Resources;
using Cetus.Api.Scheme;
using Cetus.ApiServer.OpenApi;
using Cetus.ApiServer.Tests.Security;
using Cetus.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace Cetus.ApiServer.Tests.OpenApi;

/// <summary>
/// The real kubectl against the generated documents, served over plain HTTP with just enough of an API server around
/// them: /version, legacy discovery, /openapi/v3 and a create endpoint that records what kubectl sent.
/// </summary>
public sealed class KubectlOpenApiTests : IDisposable
{
    private static readonly ResourceRegistry Registry = BuiltInResources.Create();
    private static readonly OpenApiV3Builder OpenApi = new(Registry);

    private readonly TempDirectory _dir = new("kubectl-openapi");
    private readonly ConcurrentQueue<string> _requests = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Explain_PodSpecContainers_ShowsTypesRequiredFieldsAndDescriptions()
    {
        await using var server = await StartAsync();

        var (exit, output, error) = await Cetus.Testing.Kubectl.RunBareAsync("--server", server.Address.ToString(), "explain", "pod.spec.containers");

        Assert.True(exit == 0, error + output);
        Assert.Contains("KIND:       Pod", output, StringComparison.Ordinal);
        Assert.Contains("VERSION:    v1", output, StringComparison.Ordinal);
        Assert.Contains("FIELD: containers <[]Container>", output, StringComparison.Ordinal);
        Assert.Contains("List of containers belonging to the pod.", output, StringComparison.Ordinal);
        Assert.Matches(@"\n  name\s+<string> -required-\n", output);
        Assert.Matches(@"\n  ports\s+<\[\]ContainerPort>\n", output);
        Assert.Contains(_requests, r => r.StartsWith("/openapi/v3/api/v1?hash=" + OpenApi.Find("api/v1")!.Hash, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Explain_DeploymentStrategy_FollowsReferencesAcrossPackages()
    {
        await using var server = await StartAsync();

        var (exit, output, error) = await Cetus.Testing.Kubectl.RunBareAsync("--server", server.Address.ToString(), "explain", "deployment.spec.template.spec.containers.resources.limits");

        Assert.True(exit == 0, error + output);
        Assert.Contains("GROUP:      apps", output, StringComparison.Ordinal);
        Assert.Contains("FIELD: limits <map[string]Quantity>", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_LeavesFieldValidationToTheServer_WithoutAskingForOpenApiV2()
    {
        await using var server = await StartAsync();
        var manifest = Path.Combine(_dir.Path, "cm.yaml");
        await File.WriteAllTextAsync(manifest, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo\n  namespace: default\ndata:\n  a: b\n");

        var (exit, output, error) = await Cetus.Testing.Kubectl.RunBareAsync("--server", server.Address.ToString(), "create", "-f", manifest);

        Assert.True(exit == 0, error + output);
        Assert.Contains("configmap/demo created", output, StringComparison.Ordinal);
        Assert.Contains(_requests, r => r.StartsWith("POST /api/v1/namespaces/default/configmaps?", StringComparison.Ordinal) && r.Contains("fieldValidation=Strict", StringComparison.Ordinal));
        Assert.DoesNotContain(_requests, r => r.StartsWith("/openapi/v2", StringComparison.Ordinal));
    }

    private Task<LocalServer> StartAsync() => LocalServer.StartAsync(
        _ => { },
        app =>
        {
            app.Use(async (context, next) =>
            {
                var line = context.Request.Path + context.Request.QueryString;
                _requests.Enqueue(context.Request.Method == "GET" ? line : $"{context.Request.Method} {line}");
                await next(context);
            });
            app.MapGet("/version", () => Results.Json(new { major = "1", minor = "32", gitVersion = "v1.32.4", platform = "linux/amd64" }));
            app.MapGet("/api", () => Results.Json(new { kind = "APIVersions", versions = new[] { "v1" } }));
            app.MapGet("/apis", () => Results.Json(GroupList()));
            app.MapGet("/api/v1", () => Results.Json(ResourceList("", "v1")));
            app.MapGet("/apis/{group}/{version}", (string group, string version) => Results.Json(ResourceList(group, version)));
            app.MapGet("/openapi/v3", () => Results.Bytes(OpenApi.Root, "application/json"));
            app.MapGet("/openapi/v3/{**path}", (string path) =>
                OpenApi.Find(path) is { } document ? Results.Bytes(document.Json, "application/json") : Results.NotFound());
            app.MapPost("/api/v1/namespaces/{ns}/configmaps", async (HttpContext context) =>
            {
                var body = await JsonNode.ParseAsync(context.Request.Body);
                return Results.Json(body, statusCode: 201);
            });
        });

    private static JsonObject GroupList()
    {
        var groups = new JsonArray();
        foreach (var (group, version) in Registry.GroupVersions().Where(gv => gv.Group.Length > 0))
        {
            var gv = new JsonObject { ["groupVersion"] = $"{group}/{version}", ["version"] = version };
            groups.Add(new JsonObject
            {
                ["name"] = group,
                ["versions"] = new JsonArray(gv),
                ["preferredVersion"] = gv.DeepClone(),
            });
        }

        return new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = groups };
    }

    private static JsonObject ResourceList(string group, string version)
    {
        var resources = new JsonArray();
        foreach (var resource in Registry.All.Where(r => r.Group == group && r.Version == version))
        {
            resources.Add(new JsonObject
            {
                ["name"] = resource.Plural,
                ["singularName"] = resource.Singular,
                ["namespaced"] = resource.Namespaced,
                ["kind"] = resource.Kind,
                ["verbs"] = new JsonArray([.. resource.Verbs.Select(v => JsonValue.Create(v))]),
                ["shortNames"] = new JsonArray([.. resource.ShortNames.Select(v => JsonValue.Create(v))]),
            });
        }

        var groupVersion = group.Length == 0 ? version : $"{group}/{version}";
        return new JsonObject { ["kind"] = "APIResourceList", ["apiVersion"] = "v1", ["groupVersion"] = groupVersion, ["resources"] = resources };
    }
}
