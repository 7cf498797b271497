using Cetus.Testing;
using Xunit;

namespace Cetus.Storage.Tests.Etcd;

/// <summary>One etcd server shared by the tests of a class.</summary>
public sealed class EtcdServerFixture : IAsyncLifetime
{
    public EtcdServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await EtcdServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
