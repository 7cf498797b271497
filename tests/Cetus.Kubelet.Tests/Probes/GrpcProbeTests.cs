using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Cetus.Cri.Fake;
using Cetus.Kubelet.Pods;
using Cetus.Kubelet.Probes;
using Cetus.Kubelet.Probes.Health;
using Cetus.Kubelet.Status;
using Grpc.Core;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;
using static Cetus.Kubelet.Tests.Builders;

namespace Cetus.Kubelet.Tests.Probes;

/// <summary>gRPC probes against a real grpc.health.v1 server on 127.0.0.1 (a free port) in the test process.</summary>
public sealed class GrpcProbeTests : IAsyncLifetime
{
    private readonly HealthServer _server = new();
    private readonly HandlerRunner _runner = new(new FakeRuntime());

    public Task InitializeAsync() => _server.StartAsync();

    public Task DisposeAsync() => _server.DisposeAsync().AsTask();

    private Task<ActionResult> ProbeAsync(int port, string? service, int timeout = 5, string podIP = "127.0.0.1") =>
        _runner.ProbeAsync(new V1Probe { Grpc = new V1GRPCAction { Port = port, Service = service }, TimeoutSeconds = timeout }, Container("app"), podIP, "c1", CancellationToken.None);

    [Fact]
    public async Task Serving_Succeeds_SendingTheServiceAndKubeProbeUserAgent()
    {
        _server.Statuses["app.v1"] = HealthCheckResponse.Types.ServingStatus.Serving;

        var result = await ProbeAsync(_server.Port, "app.v1");

        Assert.True(result.Success, result.Message);
        var call = Assert.Single(_server.Calls);
        Assert.Equal("app.v1", call.Service);
        Assert.StartsWith(HandlerRunner.UserAgent, call.UserAgent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheDefaultService_IsTheEmptyName()
    {
        _server.Statuses[string.Empty] = HealthCheckResponse.Types.ServingStatus.Serving;

        Assert.True((await ProbeAsync(_server.Port, null)).Success);
        Assert.Equal(string.Empty, Assert.Single(_server.Calls).Service);
    }

    [Theory]
    [InlineData(HealthCheckResponse.Types.ServingStatus.NotServing, "NOT_SERVING")]
    [InlineData(HealthCheckResponse.Types.ServingStatus.Unknown, "UNKNOWN")]
    [InlineData(HealthCheckResponse.Types.ServingStatus.ServiceUnknown, "SERVICE_UNKNOWN")]
    public async Task AnyOtherStatus_Fails_WithUpstreamsMessage(HealthCheckResponse.Types.ServingStatus status, string name)
    {
        _server.Statuses["app"] = status;

        var result = await ProbeAsync(_server.Port, "app");

        Assert.False(result.Success);
        Assert.Equal($"service unhealthy (responded with \"{name}\")", result.Message);
    }

    [Fact]
    public async Task AnUnknownService_Fails_WithTheServersNotFound()
    {
        var result = await ProbeAsync(_server.Port, "nope");

        Assert.False(result.Success);
        Assert.Equal("error: health rpc probe failed: rpc error: code = NotFound desc = unknown service", result.Message);
    }

    [Fact]
    public async Task AServerWithoutTheHealthService_Fails_AsUnimplemented()
    {
        _server.Unimplemented = true;

        var result = await ProbeAsync(_server.Port, "app");

        Assert.False(result.Success);
        Assert.StartsWith("this server doesn't implement the grpc health protocol (grpc.health.v1.Health): ", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAnswerLaterThanTheTimeout_Fails_AsATimeout()
    {
        _server.Statuses["slow"] = HealthCheckResponse.Types.ServingStatus.Serving;
        _server.Hang = true;

        var started = DateTime.UtcNow;
        var result = await ProbeAsync(_server.Port, "slow", timeout: 1);

        Assert.False(result.Success);
        Assert.Equal("timeout: health rpc did not complete within 1s", result.Message);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task NothingListening_Fails_AsAConnectTimeout()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var result = await ProbeAsync(port, "app", timeout: 2);

        Assert.False(result.Success);
        Assert.Equal($"timeout: failed to connect service \"127.0.0.1:{port}\" within 2s: context deadline exceeded", result.Message);
    }

    [Fact]
    public async Task SimulatedNodes_DoNotConnect()
    {
        var hollow = new HandlerRunner(new FakeRuntime(), simulatedNetwork: true);

        var result = await hollow.ProbeAsync(new V1Probe { Grpc = new V1GRPCAction { Port = _server.Port } }, Container("app"), "10.88.0.1", "c1", CancellationToken.None);

        Assert.True(result.Success);
        Assert.Empty(_server.Calls);
    }

    [Fact]
    public async Task AReadinessProbe_OnAPodWhoseIPIsLoopback_MakesItReadyWhenServing()
    {
        // The fake runtime's first pod IP with prefix 127.0.0. is 127.0.0.2 (still this machine's loopback).
        await using var podServer = new HealthServer(IPAddress.Parse("127.0.0.2"));
        await podServer.StartAsync();
        var time = TimeProvider.System;
        var client = new FakeKubeletClient();
        var runtime = new FakeRuntime(new FakeRuntimeOptions { Time = time, Images = ["nginx:1.27"], PodIPPrefix = "127.0.0." });
        var sync = new PodSync(new PodRuntimeManager(runtime, FakeRuntime.RuntimeName, time), new PodStatusManager(client), client, "192.168.0.7", time);
        using var stop = new CancellationTokenSource();
        var workers = new PodWorkers(sync, stop.Token, time);
        var app = Container("app");
        app.ReadinessProbe = new V1Probe { Grpc = new V1GRPCAction { Port = podServer.Port, Service = "ready" }, PeriodSeconds = 10, TimeoutSeconds = 5 };
        client.Add(Pod("web", containers: [app]));
        podServer.Statuses["ready"] = HealthCheckResponse.Types.ServingStatus.Serving;

        workers.Update(client.Pod("web"));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (client.Pod("web").Status?.Conditions?.SingleOrDefault(c => c.Type == "Ready")?.Status != "True")
        {
            Assert.True(DateTime.UtcNow < deadline, "the pod did not become Ready");
            await workers.WhenIdleAsync(CancellationToken.None);
            await Task.Delay(20);
        }

        Assert.Equal("127.0.0.2", client.Pod("web").Status.PodIP);
        Assert.Contains(podServer.Calls, c => c.Service == "ready");
        stop.Cancel();
    }

    /// <summary>A grpc.health.v1 server on 127.0.0.1 (or another loopback address; a free port): statuses by service, unknown services NotFound.</summary>
    private sealed class HealthServer(IPAddress? listenAddress = null) : IAsyncDisposable
    {
        private WebApplication? _app;

        public ConcurrentDictionary<string, HealthCheckResponse.Types.ServingStatus> Statuses { get; } = new(StringComparer.Ordinal);

        public ConcurrentQueue<(string Service, string UserAgent)> Calls { get; } = new();

        public bool Hang { get; set; }

        public bool Unimplemented { get; set; }

        public int Port { get; private set; }

        public async Task StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(listenAddress ?? IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
            builder.Services.AddGrpc();
            builder.Services.AddSingleton(this);
            _app = builder.Build();
            _app.MapGrpcService<HealthService>();
            await _app.StartAsync();
            var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            Port = new Uri(address).Port;
        }

        public async ValueTask DisposeAsync()
        {
            if (_app is not null)
            {
                await _app.StopAsync();
                await _app.DisposeAsync();
            }
        }
    }

    private sealed class HealthService(HealthServer server) : Health.HealthBase
    {
        public override async Task<HealthCheckResponse> Check(HealthCheckRequest request, ServerCallContext context)
        {
            server.Calls.Enqueue((request.Service, context.RequestHeaders.GetValue("user-agent") ?? string.Empty));
            if (server.Unimplemented)
            {
                throw new RpcException(new Grpc.Core.Status(StatusCode.Unimplemented, "unknown service grpc.health.v1.Health"));
            }

            if (server.Hang)
            {
                await Task.Delay(Timeout.Infinite, context.CancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }

            return server.Statuses.TryGetValue(request.Service, out var status)
                ? new HealthCheckResponse { Status = status }
                : throw new RpcException(new Grpc.Core.Status(StatusCode.NotFound, "unknown service"));
        }
    }
}
