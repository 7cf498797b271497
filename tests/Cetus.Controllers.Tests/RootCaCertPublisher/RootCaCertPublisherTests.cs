using Cetus.Client.Informers;
using Cetus.Controllers.RootCaCertPublisher;
using k8s.Models;
using Xunit;

namespace Cetus.Controllers.Tests.RootCaCertPublisher;

public sealed class RootCaCertPublisherTests
{
    private const string Ca = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

    private readonly Indexer<V1ConfigMap> _configMaps = new();
    private readonly RecordingClient _client = new();

    private Controllers.RootCaCertPublisher.RootCaCertPublisher Publisher() => new(_configMaps, _client, Ca, new ManualTime());

    [Fact]
    public async Task MissingConfigMap_IsCreated_WithTheCaAndUpstreamsDescription()
    {
        await Publisher().SyncAsync("team", CancellationToken.None);

        var (ns, created) = Assert.Single(_client.Created);
        Assert.Equal("team", ns);
        Assert.Equal("kube-root-ca.crt", created.Metadata.Name);
        Assert.Equal(new Dictionary<string, string> { ["ca.crt"] = Ca }, created.Data);
        Assert.StartsWith("Contains a CA bundle that can be used to verify the kube-apiserver", created.Metadata.Annotations["kubernetes.io/description"], StringComparison.Ordinal);
        Assert.Empty(_client.Replaced);
    }

    [Fact]
    public async Task UpToDateConfigMap_IsLeftAlone()
    {
        _configMaps.Upsert(ConfigMap("team", new() { ["ca.crt"] = Ca }, description: "anything"));

        await Publisher().SyncAsync("team", CancellationToken.None);

        Assert.Empty(_client.Created);
        Assert.Empty(_client.Replaced);
    }

    [Theory]
    [InlineData("bogus", false, null)]
    [InlineData(Ca, true, null)]
    [InlineData(Ca, false, "")]
    public async Task ChangedData_ExtraKeys_OrAMissingDescription_ArePutBack_KeepingOtherMetadata(string ca, bool extraKey, string? description)
    {
        var data = new Dictionary<string, string> { ["ca.crt"] = ca };
        if (extraKey)
        {
            data["extra"] = "x";
        }

        var cached = ConfigMap("team", data, description);
        cached.Metadata.Labels = new Dictionary<string, string> { ["keep"] = "me" };
        _configMaps.Upsert(cached);

        await Publisher().SyncAsync("team", CancellationToken.None);

        var (ns, replaced) = Assert.Single(_client.Replaced);
        Assert.Equal("team", ns);
        Assert.Equal(new Dictionary<string, string> { ["ca.crt"] = Ca }, replaced.Data);
        Assert.Equal(Controllers.RootCaCertPublisher.RootCaCertPublisher.Description, replaced.Metadata.Annotations["kubernetes.io/description"]);
        Assert.Equal("me", replaced.Metadata.Labels["keep"]);
        Assert.Equal("7", replaced.Metadata.ResourceVersion);
        // The cached object is never changed.
        Assert.Same(data, cached.Data);
        Assert.Equal(ca, _configMaps.Get("team", "kube-root-ca.crt")!.Data["ca.crt"]);
    }

    [Fact]
    public async Task EveryNamespace_IsQueued_WhenTheHandlersAreRegistered()
    {
        var namespaces = new SharedInformer<V1Namespace>(new NoListWatch<V1Namespace>(), TimeSpan.Zero);
        var configMaps = new SharedInformer<V1ConfigMap>(new NoListWatch<V1ConfigMap>(), TimeSpan.Zero);
        namespaces.Store.Upsert(new V1Namespace { Metadata = new V1ObjectMeta { Name = "default" } });
        namespaces.Store.Upsert(new V1Namespace { Metadata = new V1ObjectMeta { Name = "team" } });
        configMaps.Store.Upsert(ConfigMap("team", new() { ["ca.crt"] = Ca }, "d"));
        var publisher = Publisher();

        // Handlers registered after the first list receive an add for every cached object; a ConfigMap's add queues nothing.
        publisher.Register(namespaces, configMaps);

        Assert.Equal(2, publisher.Queue.Length);
        Assert.Equal(["default", "team"], new[] { (await publisher.Queue.GetAsync(default)).Key, (await publisher.Queue.GetAsync(default)).Key }.Order());
    }

    private static V1ConfigMap ConfigMap(string ns, Dictionary<string, string> data, string? description) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = "kube-root-ca.crt",
            NamespaceProperty = ns,
            ResourceVersion = "7",
            Annotations = description is null ? null : new Dictionary<string, string> { ["kubernetes.io/description"] = description },
        },
        Data = data,
    };

    private sealed class RecordingClient : IConfigMapClient
    {
        public List<(string Namespace, V1ConfigMap ConfigMap)> Created { get; } = [];

        public List<(string Namespace, V1ConfigMap ConfigMap)> Replaced { get; } = [];

        public Task CreateConfigMapAsync(string ns, V1ConfigMap configMap, CancellationToken cancellationToken)
        {
            Created.Add((ns, configMap));
            return Task.CompletedTask;
        }

        public Task ReplaceConfigMapAsync(string ns, V1ConfigMap configMap, CancellationToken cancellationToken)
        {
            Replaced.Add((ns, configMap));
            return Task.CompletedTask;
        }
    }
}
