using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Cetus.Cri.Fake;
using Cetus.Cri.V1;
using Cetus.Kubelet.Probes;
using k8s.Models;
using Xunit;

namespace Cetus.Kubelet.Tests.Probes;

/// <summary>Probe actions against real sockets on 127.0.0.1 (free ports) and exec through the fake runtime.</summary>
public sealed class HandlerRunnerTests : IAsyncLifetime
{
    private readonly FakeRuntime _runtime = new(new FakeRuntimeOptions { Images = ["nginx:1.27"] });
    private readonly HandlerRunner _runner;
    private readonly TinyHttpServer _server = new();
    private string _containerId = string.Empty;

    public HandlerRunnerTests() => _runner = new HandlerRunner(_runtime);

    public async Task InitializeAsync()
    {
        var config = new PodSandboxConfig { Metadata = new PodSandboxMetadata { Name = "p", Namespace = "default", Uid = "u" } };
        var sandbox = await _runtime.RunPodSandboxAsync(config, "", CancellationToken.None);
        _containerId = await _runtime.CreateContainerAsync(sandbox, new ContainerConfig { Metadata = new ContainerMetadata { Name = "app" }, Image = new ImageSpec { Image = "nginx:1.27" } }, config, CancellationToken.None);
        await _runtime.StartContainerAsync(_containerId, CancellationToken.None);
    }

    public Task DisposeAsync()
    {
        _server.Dispose();
        return Task.CompletedTask;
    }

    private static V1Container App(params V1ContainerPort[] ports) => new() { Name = "app", Image = "nginx:1.27", Ports = ports.Length > 0 ? [.. ports] : null };

    private Task<ActionResult> Http(string path, string port, V1Container? container = null, IList<V1HTTPHeader>? headers = null, int timeout = 10) =>
        _runner.ProbeAsync(new V1Probe { HttpGet = new V1HTTPGetAction { Path = path, Port = (IntOrString)port, HttpHeaders = headers }, TimeoutSeconds = timeout }, container ?? App(), "127.0.0.1", _containerId, CancellationToken.None);

    [Fact]
    public async Task HttpGet_Succeeds_On2xx_SendingKubeProbeUserAgent_AcceptAll_PathAndHeaders()
    {
        var result = await Http("/healthz?x=1", _server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), headers: [new V1HTTPHeader { Name = "X-Custom", Value = "yes" }]);
        Assert.True(result.Success, result.Message);
        var request = Assert.Single(_server.Requests);
        Assert.Equal("GET /healthz?x=1", request.Line);
        Assert.Equal(("kube-probe/1.32", "*/*", "yes"), (request.Headers["user-agent"], request.Headers["accept"], request.Headers["x-custom"]));
        Assert.Equal($"127.0.0.1:{_server.Port}", request.Headers["host"]);
    }

    [Fact]
    public async Task HttpGet_UserAgentAndHost_CanBeGivenAsHeaders()
    {
        var result = await Http("/", _server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), headers: [new V1HTTPHeader { Name = "User-Agent", Value = "mine" }, new V1HTTPHeader { Name = "Host", Value = "example.test" }]);
        Assert.True(result.Success, result.Message);
        var request = Assert.Single(_server.Requests);
        Assert.Equal(("mine", "example.test"), (request.Headers["user-agent"], request.Headers["host"]));
    }

    [Theory]
    [InlineData(200, true)]
    [InlineData(204, true)]
    [InlineData(399, true)]
    [InlineData(400, false)]
    [InlineData(500, false)]
    public async Task HttpGet_StatusDecides(int status, bool success)
    {
        _server.Respond = _ => (status, null);
        var result = await Http("/", _server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(success, result.Success);
        if (!success)
        {
            Assert.Contains($"statuscode: {status}", result.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task HttpGet_ResolvesANamedPort_FromTheContainersPorts()
    {
        var container = App(new V1ContainerPort { Name = "health", ContainerPort = _server.Port });
        Assert.True((await Http("/", "health", container)).Success);
        Assert.Single(_server.Requests);
        var unknown = await Http("/", "nope", container);
        Assert.False(unknown.Success);
        Assert.Contains("unable to resolve port nope", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HttpGet_FollowsRedirectsOnTheSameHost_NotToOtherHosts()
    {
        _server.Respond = path => path switch
        {
            "/old" => (302, "/new"),
            "/elsewhere" => (302, "http://other.invalid:1/x"),
            "/new" => (500, null),
            _ => (200, null),
        };
        var followed = await Http("/old", _server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.False(followed.Success);
        Assert.Equal(["GET /old", "GET /new"], _server.Requests.Select(r => r.Line));

        // Another host is not contacted: the redirect itself is the answer, a success with a warning.
        var elsewhere = await Http("/elsewhere", _server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(elsewhere.Success);
        Assert.Contains("redirect", elsewhere.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(3, _server.Requests.Count);
    }

    [Fact]
    public async Task HttpGet_FailsWhenNoAnswerComesWithinTheTimeout()
    {
        using var gate = new ManualResetEventSlim();
        _server.Respond = _ =>
        {
            gate.Wait(TimeSpan.FromSeconds(10));
            return (200, null);
        };
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var result = await Http("/", _server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), timeout: 1);
        gate.Set();
        Assert.False(result.Success);
        Assert.Contains("deadline exceeded", result.Message, StringComparison.Ordinal);
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task TcpSocket_SucceedsWhenSomethingListens_FailsOtherwise()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var probe = new V1Probe { TcpSocket = new V1TCPSocketAction { Port = (IntOrString)port.ToString(System.Globalization.CultureInfo.InvariantCulture) }, TimeoutSeconds = 10 };
        Assert.True((await _runner.ProbeAsync(probe, App(), "127.0.0.1", _containerId, CancellationToken.None)).Success);

        listener.Stop();
        var closed = await _runner.ProbeAsync(probe, App(), "127.0.0.1", _containerId, CancellationToken.None);
        Assert.False(closed.Success);
        Assert.StartsWith($"dial tcp 127.0.0.1:{port}", closed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exec_SucceedsOnExitZero_FailsOtherwise_AndOnTimeout()
    {
        var seen = new ConcurrentQueue<FakeExec>();
        _runtime.OnExec(e =>
        {
            seen.Enqueue(e);
            return e.Command[0] switch
            {
                "true" => new FakeExecResult(0),
                "slow" => new FakeExecResult(0, Delay: TimeSpan.FromSeconds(30)),
                _ => new FakeExecResult(1, "unhealthy"),
            };
        });
        V1Probe Exec(string command) => new() { Exec = new V1ExecAction { Command = [command, "arg"] }, TimeoutSeconds = 1 };

        Assert.True((await _runner.ProbeAsync(Exec("true"), App(), null, _containerId, CancellationToken.None)).Success);
        var failed = await _runner.ProbeAsync(Exec("false"), App(), null, _containerId, CancellationToken.None);
        Assert.False(failed.Success);
        Assert.Contains("exited with 1: unhealthy", failed.Message, StringComparison.Ordinal);
        var slow = await _runner.ProbeAsync(Exec("slow"), App(), null, _containerId, CancellationToken.None);
        Assert.False(slow.Success);
        Assert.Contains("timed out", slow.Message, StringComparison.Ordinal);
        Assert.All(seen, e => Assert.Equal(("app", 1L, "arg"), (e.ContainerName, e.TimeoutSeconds, e.Command[1])));
    }

    [Fact]
    public async Task Hooks_HttpGetFailsOnlyWhenTheRequestFails_SleepWaits()
    {
        _server.Respond = _ => (500, null);
        var hook = new V1LifecycleHandler { HttpGet = new V1HTTPGetAction { Path = "/hook", Port = (IntOrString)_server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) } };
        Assert.True((await _runner.HookAsync(hook, App(), "127.0.0.1", _containerId, TimeSpan.FromSeconds(5), CancellationToken.None)).Success);
        Assert.Equal("GET /hook", Assert.Single(_server.Requests).Line);

        var clock = new TimerClock();
        var runner = new HandlerRunner(_runtime, clock);
        var sleeping = runner.HookAsync(new V1LifecycleHandler { Sleep = new V1SleepAction { Seconds = 5 } }, App(), null, _containerId, TimeSpan.FromSeconds(30), CancellationToken.None);
        await clock.WaitForTimerAsync(clock.GetUtcNow() + TimeSpan.FromSeconds(5));
        Assert.False(sleeping.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.True((await sleeping).Success);
    }
}

/// <summary>A tiny HTTP/1.1 server on 127.0.0.1 and a free port: records request lines and headers, answers as told.</summary>
internal sealed class TinyHttpServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<TinyRequest> _requests = new();

    public TinyHttpServer()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = Task.Run(AcceptAsync);
    }

    public int Port { get; }

    /// <summary>Status and Location header by path (default 200).</summary>
    public Func<string, (int Status, string? Location)> Respond { get; set; } = _ => (200, null);

    public IReadOnlyList<TinyRequest> Requests => [.. _requests];

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var reader = new StreamReader(stream, Encoding.ASCII);
                var line = await reader.ReadLineAsync() ?? string.Empty;
                var headers = new Dictionary<string, string>();
                for (var header = await reader.ReadLineAsync(); !string.IsNullOrEmpty(header); header = await reader.ReadLineAsync())
                {
                    var colon = header.IndexOf(':', StringComparison.Ordinal);
                    headers[header[..colon].Trim().ToLowerInvariant()] = header[(colon + 1)..].Trim();
                }

                var parts = line.Split(' ');
                _requests.Enqueue(new TinyRequest($"{parts[0]} {parts[1]}", headers));
                var path = parts[1].Split('?')[0];
                var (status, location) = Respond(path);
                var response = $"HTTP/1.1 {status} X\r\nContent-Length: 2\r\nConnection: close\r\n{(location is null ? string.Empty : $"Location: {location}\r\n")}\r\nok";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(response));
            }
            catch (IOException)
            {
            }
        }
    }
}

internal sealed record TinyRequest(string Line, IReadOnlyDictionary<string, string> Headers);
