using Cetus.Testing;
using Xunit;

namespace Cetus.E2E.Tests;

/// <summary>One real cetus server on SQLite, shared by a test class.</summary>
public sealed class SqliteServerFixture : IAsyncLifetime
{
    public CetusServerProcess Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await CetusServerProcess.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>
/// One real cetus server on SQLite without the scheduler, for the controller scenarios: their FakeNode marks pods
/// Running in place of a kubelet without binding them, and a scheduler writing PodScheduled conditions on those same
/// pods would only add unrelated writes (and Deployment resyncs) to what they measure.
/// </summary>
public sealed class ControllersServerFixture : IAsyncLifetime
{
    public CetusServerProcess Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await CetusServerProcess.StartAsync(arguments: ["--disable-scheduler"]);

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>One real cetus server on a real etcd that the fixture starts on loopback.</summary>
public sealed class EtcdServerFixture : IAsyncLifetime
{
    private EtcdServer? _etcd;

    public CetusServerProcess Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _etcd = await EtcdServer.StartAsync();
        Server = await CetusServerProcess.StartAsync("etcd://" + string.Join(',', _etcd.ClientEndpoints));
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        if (_etcd is not null)
        {
            await _etcd.DisposeAsync();
        }
    }
}
