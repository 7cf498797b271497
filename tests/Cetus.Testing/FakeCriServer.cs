using Cetus.Cri;
using Cetus.Cri.Fake;
using Cetus.Cri.Serving;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cetus.Testing;

/// <summary>
/// A <see cref="FakeRuntime"/> served as CRI (RuntimeService and ImageService) on a unix socket in a temporary
/// directory, in the test process: a container runtime for <c>cetus up</c> / <c>cetus agent</c> without containerd,
/// which the test can inspect and drive (make containers exit) while the binary uses it.
/// </summary>
public sealed class FakeCriServer : IAsyncDisposable
{
    private readonly TempDirectory _directory = new("cetus-cri");
    private WebApplication? _app;

    private FakeCriServer(FakeRuntime runtime)
    {
        Runtime = runtime;
    }

    /// <summary>The runtime behind the socket.</summary>
    public FakeRuntime Runtime { get; }

    /// <summary>The socket's path.</summary>
    public string SocketPath => Path.Combine(_directory.Path, "cri.sock");

    /// <summary>unix:///PATH, for --container-runtime-endpoint.</summary>
    public string Endpoint => "unix://" + SocketPath;

    /// <summary>Serves <paramref name="runtime"/> (a new fake by default) until disposed.</summary>
    public static async Task<FakeCriServer> StartAsync(FakeRuntime? runtime = null)
    {
        var server = new FakeCriServer(runtime ?? new FakeRuntime());
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.ListenUnixSocket(server.SocketPath, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton<IContainerRuntime>(server.Runtime);
        server._app = builder.Build();
        server._app.MapGrpcService<RuntimeServer>();
        server._app.MapGrpcService<ImageServer>();
        await server._app.StartAsync();
        return server;
    }

    /// <summary>Stops serving and removes the socket.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        _directory.Dispose();
    }
}
