using System.Net;
using Cetus.Testing;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Xunit;

namespace Cetus.E2E.Tests.Clients;

/// <summary>
/// The official C# client (the KubernetesClient package) against a real cetus server, configured only from the
/// admin kubeconfig the server wrote; each datastore runs the same scenarios
/// (<see cref="CSharpClientOnSqliteTests"/>, <see cref="CSharpClientOnEtcdTests"/>). Every test works in a namespace
/// of its own.
/// </summary>
public abstract class CSharpClientScenarios : IDisposable
{
    /// <summary>How long any one wait for the server may take; tests never sleep.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    // The ConfigMap every namespace has (the root CA publisher's).
    private const string RootCa = "kube-root-ca.crt";

    private readonly Kubernetes _client;

    protected CSharpClientScenarios(CetusServerProcess server)
    {
        _client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(server.Kubeconfig));
    }

    public void Dispose()
    {
        _client.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Create_ThenGet_ReturnsWhatWasStoredWithServerFields()
    {
        var ns = await CreateNamespaceAsync();
        var namespaceObject = await _client.CoreV1.ReadNamespaceAsync(ns);
        Assert.Equal(ns, namespaceObject.Metadata.Name);
        Assert.False(string.IsNullOrEmpty(namespaceObject.Metadata.Uid));

        var configMap = await _client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings", ("app", "web")), ns);
        Assert.False(string.IsNullOrEmpty(configMap.Metadata.Uid));
        Assert.False(string.IsNullOrEmpty(configMap.Metadata.ResourceVersion));
        Assert.NotNull(configMap.Metadata.CreationTimestamp);
        Assert.Equal(ns, configMap.Metadata.NamespaceProperty);

        var read = await _client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns);
        Assert.Equal(configMap.Metadata.Uid, read.Metadata.Uid);
        Assert.Equal(configMap.Metadata.ResourceVersion, read.Metadata.ResourceVersion);
        Assert.Equal("v", read.Data["k"]);

        var deployment = await _client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", "nginx:1.26"), ns);
        var readDeployment = await _client.AppsV1.ReadNamespacedDeploymentAsync("web", ns);
        Assert.Equal(deployment.Metadata.Uid, readDeployment.Metadata.Uid);
        Assert.Equal(2, readDeployment.Spec.Replicas);
        Assert.Equal("nginx:1.26", Assert.Single(readDeployment.Spec.Template.Spec.Containers).Image);
    }

    [Fact]
    public async Task List_WithLabelAndFieldSelectors_ReturnsOnlyWhatMatches()
    {
        var ns = await CreateNamespaceAsync();
        await _client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("web-a", ("app", "web"), ("tier", "fe")), ns);
        await _client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("web-b", ("app", "web"), ("tier", "be")), ns);
        await _client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("db", ("app", "db")), ns);
        await _client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", "nginx:1.26"), ns);
        await _client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("api", "nginx:1.26"), ns);

        Assert.Equal(["db", "web-a", "web-b"], Names(await _client.CoreV1.ListNamespacedConfigMapAsync(ns)));
        Assert.Equal(["web-a", "web-b"], Names(await _client.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: "app=web")));
        Assert.Equal(["web-b"], Names(await _client.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: "app=web,tier!=fe")));
        Assert.Equal(["db", "web-a"], Names(await _client.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: "tier notin (be)")));
        Assert.Equal(["web-a"], Names(await _client.CoreV1.ListNamespacedConfigMapAsync(ns, fieldSelector: "metadata.name=web-a")));
        Assert.Equal(["db", "web-b"], Names(await _client.CoreV1.ListNamespacedConfigMapAsync(ns, fieldSelector: "metadata.name!=web-a")));
        Assert.Empty((await _client.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: "app=db", fieldSelector: "metadata.name=web-a")).Items);

        var deployments = await _client.AppsV1.ListNamespacedDeploymentAsync(ns, labelSelector: "app=web");
        Assert.Equal(["web"], deployments.Items.Select(d => d.Metadata.Name));
        var byName = await _client.AppsV1.ListNamespacedDeploymentAsync(ns, fieldSelector: "metadata.name=api");
        Assert.Equal(["api"], byName.Items.Select(d => d.Metadata.Name));

        // Across namespaces: only this test's objects carry this namespace.
        var everywhere = await _client.CoreV1.ListConfigMapForAllNamespacesAsync(fieldSelector: "metadata.namespace=" + ns, labelSelector: "app=web");
        Assert.Equal(["web-a", "web-b"], Names(everywhere));
    }

    [Fact]
    public async Task List_WithLimit_PagesThroughEverythingWithContinue()
    {
        var ns = await CreateNamespaceAsync();
        for (var i = 0; i < 5; i++)
        {
            await _client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap($"page-{i}", ("app", "pages")), ns);
        }

        var seen = new List<string>();
        string? next = null;
        var pages = 0;
        do
        {
            var page = await _client.CoreV1.ListNamespacedConfigMapAsync(ns, limit: 2, continueParameter: next);
            Assert.True(page.Items.Count <= 2);
            seen.AddRange(page.Items.Select(c => c.Metadata.Name).Where(n => n != RootCa));
            next = page.Metadata.ContinueProperty;
            pages++;
        }
        while (!string.IsNullOrEmpty(next) && pages < 10);

        Assert.Equal(3, pages);
        Assert.Equal(["page-0", "page-1", "page-2", "page-3", "page-4"], seen);
    }

    [Fact]
    public async Task Watch_FromAListResourceVersion_SeesAddedModifiedDeletedInOrder()
    {
        var ns = await CreateNamespaceAsync();
        await _client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("before", ("app", "web")), ns);
        var list = await _client.CoreV1.ListNamespacedConfigMapAsync(ns);
        var from = list.Metadata.ResourceVersion;

        // Written after the list but before the watch opens: the watch must replay it from the resourceVersion.
        var created = await _client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("watched", ("app", "web")), ns);

        using var deadline = new CancellationTokenSource(Patience);
        var events = new List<(WatchEventType Type, V1ConfigMap Object)>();
        string? modifiedVersion = null;
        await foreach (var (type, item) in _client.CoreV1.WatchListNamespacedConfigMapAsync(ns, resourceVersion: from, timeoutSeconds: 60, cancellationToken: deadline.Token))
        {
            events.Add((type, item));
            if (events.Count == 1)
            {
                // The stream is live: these writes arrive while it is open.
                var modified = await _client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"k":"changed"}}""", V1Patch.PatchType.MergePatch), "watched", ns, cancellationToken: deadline.Token);
                modifiedVersion = modified.Metadata.ResourceVersion;
                await _client.CoreV1.DeleteNamespacedConfigMapAsync("watched", ns, cancellationToken: deadline.Token);
            }

            if (type == WatchEventType.Deleted)
            {
                break;
            }
        }

        Assert.Equal([WatchEventType.Added, WatchEventType.Modified, WatchEventType.Deleted], events.Select(e => e.Type));
        Assert.All(events, e => Assert.Equal("watched", e.Object.Metadata.Name));
        Assert.Equal(created.Metadata.ResourceVersion, events[0].Object.Metadata.ResourceVersion);
        Assert.Equal(modifiedVersion, events[1].Object.Metadata.ResourceVersion);
        Assert.Equal("changed", events[1].Object.Data["k"]);
        Assert.True(long.Parse(events[2].Object.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture) > long.Parse(modifiedVersion!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Watch_Deployments_WithALabelSelector_SeesOnlyMatchingObjects()
    {
        var ns = await CreateNamespaceAsync();
        var from = (await _client.AppsV1.ListNamespacedDeploymentAsync(ns)).Metadata.ResourceVersion;
        await _client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("other", "nginx:1.26"), ns);
        await _client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", "nginx:1.26"), ns);

        using var deadline = new CancellationTokenSource(Patience);
        var events = new List<(WatchEventType Type, V1Deployment Object)>();
        await foreach (var (type, item) in _client.AppsV1.WatchListNamespacedDeploymentAsync(ns, labelSelector: "app=web", resourceVersion: from, timeoutSeconds: 60, cancellationToken: deadline.Token))
        {
            events.Add((type, item));
            if (events.Count == 1)
            {
                await _client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("""{"spec":{"replicas":4}}""", V1Patch.PatchType.MergePatch), "other", ns, cancellationToken: deadline.Token);
                await _client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("""{"spec":{"replicas":3}}""", V1Patch.PatchType.MergePatch), "web", ns, cancellationToken: deadline.Token);
                await _client.AppsV1.DeleteNamespacedDeploymentAsync("other", ns, cancellationToken: deadline.Token);
                await _client.AppsV1.DeleteNamespacedDeploymentAsync("web", ns, cancellationToken: deadline.Token);
            }

            if (type == WatchEventType.Deleted)
            {
                break;
            }
        }

        // The controller manager also writes the Deployment's status: MODIFIED may come more than once.
        var seen = string.Join(", ", events.Select(e => $"{e.Type} {e.Object.Metadata.Name}@{e.Object.Metadata.ResourceVersion} replicas={e.Object.Spec.Replicas} gen={e.Object.Metadata.Generation}"));
        Assert.True(events[0].Type == WatchEventType.Added, $"from {from}: {seen}");
        Assert.Equal(WatchEventType.Deleted, events[^1].Type);
        Assert.All(events[1..^1], e => Assert.Equal(WatchEventType.Modified, e.Type));
        Assert.All(events, e => Assert.Equal("web", e.Object.Metadata.Name));
        Assert.Contains(events[1..^1], e => e.Object.Spec.Replicas == 3);
    }

    [Fact]
    public async Task Patch_MergePatch_SetsAndRemovesKeys()
    {
        var ns = await CreateNamespaceAsync();
        var original = await _client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings", ("app", "web")), ns);

        var patched = await _client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch("""{"metadata":{"labels":{"tier":"fe","app":null}},"data":{"k":null,"added":"yes"}}""", V1Patch.PatchType.MergePatch), "settings", ns);

        Assert.Equal(new Dictionary<string, string> { ["tier"] = "fe" }, patched.Metadata.Labels);
        Assert.Equal(new Dictionary<string, string> { ["added"] = "yes" }, patched.Data);
        Assert.Equal(original.Metadata.Uid, patched.Metadata.Uid);
        Assert.NotEqual(original.Metadata.ResourceVersion, patched.Metadata.ResourceVersion);
        var read = await _client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns);
        Assert.Equal(patched.Metadata.ResourceVersion, read.Metadata.ResourceVersion);
        Assert.Equal(patched.Data, read.Data);
    }

    [Fact]
    public async Task Patch_StrategicMerge_MergesContainersByName_WhereAMergePatchReplacesTheList()
    {
        var ns = await CreateNamespaceAsync();
        var deployment = Deployment("web", "nginx:1.26");
        deployment.Spec.Template.Spec.Containers.Add(new V1Container { Name = "sidecar", Image = "busybox:1.36" });
        await _client.AppsV1.CreateNamespacedDeploymentAsync(deployment, ns);

        var strategic = await _client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch("""{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"nginx:1.27"}]}}}}""", V1Patch.PatchType.StrategicMergePatch), "web", ns);
        Assert.Equal(["app=nginx:1.27", "sidecar=busybox:1.36"], strategic.Spec.Template.Spec.Containers.Select(c => $"{c.Name}={c.Image}"));
        Assert.Equal(80, Assert.Single(strategic.Spec.Template.Spec.Containers[0].Ports).ContainerPort);

        var deleteDirective = await _client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch("""{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","$patch":"delete"}]}}}}""", V1Patch.PatchType.StrategicMergePatch), "web", ns);
        Assert.Equal(["app"], deleteDirective.Spec.Template.Spec.Containers.Select(c => c.Name));

        var merge = await _client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch("""{"spec":{"template":{"spec":{"containers":[{"name":"other","image":"redis:7"}]}}}}""", V1Patch.PatchType.MergePatch), "web", ns);
        Assert.Equal(["other=redis:7"], merge.Spec.Template.Spec.Containers.Select(c => $"{c.Name}={c.Image}"));

        var json = await _client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch("""[{"op":"replace","path":"/spec/replicas","value":7},{"op":"add","path":"/metadata/labels/patched","value":"json"}]""", V1Patch.PatchType.JsonPatch), "web", ns);
        Assert.Equal(7, json.Spec.Replicas);
        Assert.Equal("json", json.Metadata.Labels["patched"]);
    }

    [Fact]
    public async Task Replace_WithAStaleResourceVersion_FailsWithConflictAndChangesNothing()
    {
        var ns = await CreateNamespaceAsync();
        var first = await _client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings", ("app", "web")), ns);

        first.Data["k"] = "second";
        var second = await _client.CoreV1.ReplaceNamespacedConfigMapAsync(first, "settings", ns);
        Assert.NotEqual(first.Metadata.ResourceVersion, second.Metadata.ResourceVersion);

        // first still carries the resourceVersion the replace above made stale.
        first.Data["k"] = "stale";
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.ReplaceNamespacedConfigMapAsync(first, "settings", ns));
        Assert.Equal(HttpStatusCode.Conflict, error.Response.StatusCode);
        var status = KubernetesJson.Deserialize<V1Status>(error.Response.Content);
        Assert.Equal("Status", status.Kind);
        Assert.Equal("Failure", status.Status);
        Assert.Equal("Conflict", status.Reason);
        Assert.Equal(409, status.Code);
        Assert.Equal("settings", status.Details?.Name);
        Assert.Contains("the object has been modified", status.Message, StringComparison.Ordinal);

        var stored = await _client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns);
        Assert.Equal("second", stored.Data["k"]);
        Assert.Equal(second.Metadata.ResourceVersion, stored.Metadata.ResourceVersion);

        var deployment = await _client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", "nginx:1.26"), ns);
        await _client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("""{"spec":{"replicas":5}}""", V1Patch.PatchType.MergePatch), "web", ns);
        deployment.Spec.Replicas = 9;
        var deploymentError = await Assert.ThrowsAsync<HttpOperationException>(() => _client.AppsV1.ReplaceNamespacedDeploymentAsync(deployment, "web", ns));
        Assert.Equal(HttpStatusCode.Conflict, deploymentError.Response.StatusCode);
        Assert.Equal("Conflict", KubernetesJson.Deserialize<V1Status>(deploymentError.Response.Content).Reason);
        Assert.Equal(5, (await _client.AppsV1.ReadNamespacedDeploymentAsync("web", ns)).Spec.Replicas);
    }

    [Fact]
    public async Task Create_Twice_FailsWithAlreadyExists()
    {
        var ns = await CreateNamespaceAsync();
        await _client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), ns);

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), ns));
        Assert.Equal(HttpStatusCode.Conflict, error.Response.StatusCode);
        var status = KubernetesJson.Deserialize<V1Status>(error.Response.Content);
        Assert.Equal("AlreadyExists", status.Reason);
        Assert.Equal(409, status.Code);
    }

    [Fact]
    public async Task Delete_ThenGet_FailsWithNotFound()
    {
        var ns = await CreateNamespaceAsync();
        await _client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), ns);
        await _client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", "nginx:1.26"), ns);

        await _client.CoreV1.DeleteNamespacedConfigMapAsync("settings", ns);
        await _client.AppsV1.DeleteNamespacedDeploymentAsync("web", ns);

        var configMapError = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns));
        Assert.Equal(HttpStatusCode.NotFound, configMapError.Response.StatusCode);
        var status = KubernetesJson.Deserialize<V1Status>(configMapError.Response.Content);
        Assert.Equal("NotFound", status.Reason);
        Assert.Equal(404, status.Code);
        Assert.Equal("configmaps \"settings\" not found", status.Message);

        var deploymentError = await Assert.ThrowsAsync<HttpOperationException>(() => _client.AppsV1.ReadNamespacedDeploymentAsync("web", ns));
        Assert.Equal(HttpStatusCode.NotFound, deploymentError.Response.StatusCode);
        Assert.Equal("deployments.apps \"web\" not found", KubernetesJson.Deserialize<V1Status>(deploymentError.Response.Content).Message);

        Assert.Empty(Names(await _client.CoreV1.ListNamespacedConfigMapAsync(ns)));
        var again = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.DeleteNamespacedConfigMapAsync("settings", ns));
        Assert.Equal(HttpStatusCode.NotFound, again.Response.StatusCode);
    }

    private static V1ConfigMap ConfigMap(string name, params (string Key, string Value)[] labels) => new()
    {
        ApiVersion = V1ConfigMap.KubeApiVersion,
        Kind = V1ConfigMap.KubeKind,
        Metadata = new V1ObjectMeta { Name = name, Labels = labels.Length == 0 ? null : labels.ToDictionary(l => l.Key, l => l.Value) },
        Data = new Dictionary<string, string> { ["k"] = "v" },
    };

    private static V1Deployment Deployment(string name, string image) => new()
    {
        ApiVersion = "apps/v1",
        Kind = V1Deployment.KubeKind,
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app"] = name } },
        Spec = new V1DeploymentSpec
        {
            Replicas = 2,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = name } },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = image, Ports = [new V1ContainerPort { ContainerPort = 80 }] }] },
            },
        },
    };

    private static List<string> Names(V1ConfigMapList list) => list.Items.Select(c => c.Metadata.Name).Where(n => n != RootCa).Order(StringComparer.Ordinal).ToList();

    private async Task<string> CreateNamespaceAsync()
    {
        var name = "cs-" + Guid.NewGuid().ToString("N")[..8];
        await _client.CoreV1.CreateNamespaceAsync(new V1Namespace { ApiVersion = "v1", Kind = V1Namespace.KubeKind, Metadata = new V1ObjectMeta { Name = name } });
        // As on Kubernetes, the root CA publisher gives every namespace its kube-root-ca.crt: wait for it, so that its
        // write is not part of what a test lists or watches (Names leaves it out).
        await Wait.ForAsync(async () => (await _client.CoreV1.ListNamespacedConfigMapAsync(name, fieldSelector: "metadata.name=" + RootCa)).Items.Count, count => count == 1, $"{RootCa} in {name}", Patience);
        return name;
    }
}

public sealed class CSharpClientOnSqliteTests(SqliteServerFixture fixture) : CSharpClientScenarios(fixture.Server), IClassFixture<SqliteServerFixture>;

public sealed class CSharpClientOnEtcdTests(EtcdServerFixture fixture) : CSharpClientScenarios(fixture.Server), IClassFixture<EtcdServerFixture>;
