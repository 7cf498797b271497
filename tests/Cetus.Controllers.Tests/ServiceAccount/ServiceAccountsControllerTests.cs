using Cetus.Client.Informers;
using Cetus.Controllers.ServiceAccount;
using k8s.Models;
using Xunit;

namespace Cetus.Controllers.Tests.ServiceAccount;

public sealed class ServiceAccountsControllerTests
{
    private readonly Indexer<V1Namespace> _namespaces = new();
    private readonly Indexer<V1ServiceAccount> _accounts = new();
    private readonly RecordingClient _client = new();

    private ServiceAccountsController Controller() => new(_namespaces, _accounts, _client, new ManualTime());

    [Fact]
    public async Task ActiveNamespace_WithoutDefault_GetsOne()
    {
        _namespaces.Upsert(new V1Namespace { Metadata = new V1ObjectMeta { Name = "team" } });

        await Controller().SyncAsync("team", CancellationToken.None);

        Assert.Equal(["team/default"], _client.Created);
    }

    [Fact]
    public async Task NamespaceWithDefault_OrTerminating_OrGone_IsLeftAlone()
    {
        _namespaces.Upsert(new V1Namespace { Metadata = new V1ObjectMeta { Name = "has" } });
        _accounts.Upsert(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "default", NamespaceProperty = "has" } });
        _namespaces.Upsert(new V1Namespace { Metadata = new V1ObjectMeta { Name = "going", DeletionTimestamp = DateTime.UtcNow }, Status = new V1NamespaceStatus { Phase = "Terminating" } });
        var controller = Controller();

        await controller.SyncAsync("has", CancellationToken.None);
        await controller.SyncAsync("going", CancellationToken.None);
        await controller.SyncAsync("gone", CancellationToken.None);

        Assert.Empty(_client.Created);
    }

    private sealed class RecordingClient : IServiceAccountClient
    {
        public List<string> Created { get; } = [];

        public Task CreateServiceAccountAsync(string ns, V1ServiceAccount account, CancellationToken cancellationToken)
        {
            Created.Add($"{ns}/{account.Metadata.Name}");
            return Task.CompletedTask;
        }
    }
}
