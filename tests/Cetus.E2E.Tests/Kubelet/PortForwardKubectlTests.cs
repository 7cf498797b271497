using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Cetus.Kubelet.Streaming.PortForward;
using Xunit;

namespace Cetus.E2E.Tests.Kubelet;

/// <summary>
/// The real kubectl 1.32 port-forward against <see cref="PortForwardServer"/>: a minimal API server in the test (discovery,
/// one Running pod, and the pods/portforward upgrade — raw SPDY/3.1, or SPDY tunnelled in WebSocket binary messages,
/// kubectl's default) whose backend is a loopback echo server. This is the interoperability check of the SPDY framing,
/// the zlib dictionary and the stream-pair protocol against Go's spdystream.
/// </summary>
public sealed partial class PortForwardKubectlTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly FakePortForwardApi _api = new();
    private readonly TcpListener _echo = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private Task _echoLoop = Task.CompletedTask;

    public Task InitializeAsync()
    {
        _echo.Start();
        _echoLoop = EchoLoopAsync();
        _api.Backend = (port, ct) => port switch
        {
            80 => ConnectAsync(((IPEndPoint)_echo.LocalEndpoint).Port, ct),
            // A pod that greets and hangs up without reading (a server closing first).
            82 => GreetAndHangUpAsync(ct),
            _ => throw new SocketException((int)SocketError.ConnectionRefused),
        };
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        _echo.Stop();
        await _echoLoop;
        await _api.DisposeAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task KubectlPortForward_CarriesParallelConnectionsAndAMebibyte(bool webSockets)
    {
        await using var kubectl = await KubectlPortForward.StartAsync(_api.Kubeconfig, webSockets);

        var payloads = Enumerable.Range(0, 4).Select(i => RandomBytes(i == 0 ? 1024 * 1024 : 10_000 + i, i)).ToArray();
        await Task.WhenAll(payloads.Select(async payload =>
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(IPAddress.Loopback, kubectl.LocalPort);
            using var stream = new NetworkStream(socket);
            var received = new MemoryStream();
            var reading = stream.CopyToAsync(received);
            await stream.WriteAsync(payload);
            // kubectl passes the end of input on as the data stream's FIN; the echo server then closes, and so does all.
            socket.Shutdown(SocketShutdown.Send);
            await reading.WaitAsync(Deadline);
            Assert.Equal(payload, received.ToArray());
        })).WaitAsync(Deadline);

        Assert.Equal(webSockets ? "websocket" : "SPDY/3.1", _api.LastUpgrade);
        Assert.False(kubectl.HasExited, kubectl.Output);
    }

    [Fact]
    public async Task KubectlPortForward_ReportsTheKubeletsErrorForAFailedConnect()
    {
        await using var kubectl = await KubectlPortForward.StartAsync(_api.Kubeconfig, webSockets: false, remotePort: 81);

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, kubectl.LocalPort);
        using var stream = new NetworkStream(socket);
        // kubectl closes the local connection once the error stream has ended.
        Assert.Equal(0, await stream.ReadAsync(new byte[16]).AsTask().WaitAsync(Deadline));

        await WaitUntilAsync(() => kubectl.Output.Contains("error forwarding port 81 to pod web", StringComparison.Ordinal), () => kubectl.Output);
    }

    [Fact]
    public async Task KubectlPortForward_PodClosingFirst_EndsTheLocalConnection()
    {
        await using var kubectl = await KubectlPortForward.StartAsync(_api.Kubeconfig, webSockets: false, remotePort: 82);

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, kubectl.LocalPort);
        using var stream = new NetworkStream(socket);
        var received = new MemoryStream();
        await stream.CopyToAsync(received).WaitAsync(Deadline);

        Assert.Equal("hello, bye", Encoding.ASCII.GetString(received.ToArray()));
        Assert.False(kubectl.HasExited, kubectl.Output);
    }

    private async Task EchoLoopAsync()
    {
        var connections = new List<Task>();
        try
        {
            while (true)
            {
                var socket = await _echo.AcceptSocketAsync(_stop.Token);
                connections.Add(Task.Run(async () =>
                {
                    using var stream = new NetworkStream(socket, ownsSocket: true);
                    try
                    {
                        await stream.CopyToAsync(stream, _stop.Token);
                    }
                    catch (Exception e) when (e is IOException or OperationCanceledException)
                    {
                    }
                }));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        await Task.WhenAll(connections);
    }

    private static async Task<Stream> ConnectAsync(int port, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
        return new NetworkStream(socket, ownsSocket: true);
    }

    /// <summary>A connection to a one-shot loopback server that writes a greeting and closes at once.</summary>
    private static async Task<Stream> GreetAndHangUpAsync(CancellationToken cancellationToken)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var accepted = listener.AcceptAsync(cancellationToken);
        await client.ConnectAsync(listener.LocalEndPoint!, cancellationToken);
        using (var server = await accepted)
        {
            await server.SendAsync(Encoding.ASCII.GetBytes("hello, bye"), cancellationToken);
            server.Shutdown(SocketShutdown.Both);
        }
        return new NetworkStream(client, ownsSocket: true);
    }

    private static byte[] RandomBytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, Func<string> describe)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > Deadline)
            {
                throw new TimeoutException(describe());
            }
            await Task.Delay(20);
        }
    }

    /// <summary>A running <c>kubectl port-forward pod/web :PORT</c>, and the local port it chose.</summary>
    private sealed partial class KubectlPortForward : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly string _home;
        private readonly StringBuilder _output = new();

        private KubectlPortForward(Process process, string home)
        {
            _process = process;
            _home = home;
        }

        public int LocalPort { get; private set; }

        public bool HasExited => _process.HasExited;

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public static async Task<KubectlPortForward> StartAsync(string kubeconfig, bool webSockets, int remotePort = 80)
        {
            var home = Directory.CreateTempSubdirectory("cetus-kubectl-pf-").FullName;
            var start = new ProcessStartInfo("/usr/bin/kubectl")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[] { "port-forward", "pod/web", $":{remotePort}", "--address", "127.0.0.1", "--kubeconfig", kubeconfig, "--cache-dir", Path.Combine(home, "cache"), "-v", "4" })
            {
                start.ArgumentList.Add(arg);
            }
            start.Environment["HOME"] = home;
            start.Environment.Remove("KUBECONFIG");
            start.Environment["KUBECTL_PORT_FORWARD_WEBSOCKETS"] = webSockets ? "true" : "false";
            var process = Process.Start(start) ?? throw new InvalidOperationException("kubectl did not start");
            var forward = new KubectlPortForward(process, home);
            var ready = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            void OnLine(string? line)
            {
                if (line is null)
                {
                    return;
                }
                lock (forward._output)
                {
                    forward._output.AppendLine(line);
                }
                if (ForwardingLine().Match(line) is { Success: true } match)
                {
                    ready.TrySetResult(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
                }
            }
            process.OutputDataReceived += (_, e) => OnLine(e.Data);
            process.ErrorDataReceived += (_, e) => OnLine(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                forward.LocalPort = await ready.Task.WaitAsync(Deadline);
            }
            catch (TimeoutException)
            {
                await forward.DisposeAsync();
                throw new TimeoutException("kubectl port-forward did not start: " + forward.Output);
            }
            return forward;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
            await _process.WaitForExitAsync().WaitAsync(Deadline);
            _process.Dispose();
            Directory.Delete(_home, recursive: true);
        }

        [GeneratedRegex(@"Forwarding from 127\.0\.0\.1:(\d+) ->")]
        private static partial Regex ForwardingLine();
    }

    /// <summary>
    /// Just enough of an API server for kubectl port-forward over plain HTTP/1.1: legacy discovery, GET of one Running
    /// pod, and the portforward upgrade, which hands the connection to <see cref="PortForwardServer"/>.
    /// </summary>
    private sealed class FakePortForwardApi : IAsyncDisposable
    {
        private const string PodPath = "/api/v1/namespaces/default/pods/web";
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly List<Task> _connections = [];
        private readonly Task _acceptLoop;
        private readonly string _directory = Directory.CreateTempSubdirectory("cetus-pf-api-").FullName;

        public FakePortForwardApi()
        {
            _listener.Start();
            var port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            Kubeconfig = Path.Combine(_directory, "kubeconfig");
            File.WriteAllText(Kubeconfig, $"""
                apiVersion: v1
                kind: Config
                clusters: [{"{"}name: fake, cluster: {"{"}server: "http://127.0.0.1:{port}"{"}"}{"}"}]
                users: [{"{"}name: fake, user: {"{"}{"}"}{"}"}]
                contexts: [{"{"}name: fake, context: {"{"}cluster: fake, user: fake, namespace: default{"}"}{"}"}]
                current-context: fake
                """);
            _acceptLoop = AcceptLoopAsync();
        }

        public string Kubeconfig { get; }

        public Func<int, CancellationToken, Task<Stream>> Backend { get; set; } = (_, _) => throw new InvalidOperationException();

        public string? LastUpgrade { get; private set; }

        private async Task AcceptLoopAsync()
        {
            try
            {
                while (true)
                {
                    var socket = await _listener.AcceptSocketAsync(_stop.Token);
                    lock (_connections)
                    {
                        _connections.Add(Task.Run(() => ServeConnectionAsync(socket)));
                    }
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }

        private async Task ServeConnectionAsync(Socket socket)
        {
            var stream = new NetworkStream(socket, ownsSocket: true);
            try
            {
                while (await ReadHeadAsync(stream) is { } head)
                {
                    var lines = head.Split("\r\n");
                    var target = lines[0].Split(' ')[1];
                    var path = target.Split('?')[0];
                    var headers = lines.Skip(1).Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
                        .ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
                    if (path == PodPath + "/portforward")
                    {
                        await UpgradeAsync(stream, headers);
                        return;
                    }
                    var (status, body) = path switch
                    {
                        "/api" => ("200 OK", """{"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[{"clientCIDR":"0.0.0.0/0","serverAddress":"127.0.0.1"}]}"""),
                        "/apis" => ("200 OK", """{"kind":"APIGroupList","apiVersion":"v1","groups":[]}"""),
                        "/api/v1" => ("200 OK", """{"kind":"APIResourceList","groupVersion":"v1","resources":[{"name":"pods","singularName":"pod","namespaced":true,"kind":"Pod","verbs":["get","list"],"shortNames":["po"]},{"name":"pods/portforward","singularName":"","namespaced":true,"kind":"PodPortForwardOptions","verbs":["create","get"]}]}"""),
                        PodPath => ("200 OK", """{"kind":"Pod","apiVersion":"v1","metadata":{"name":"web","namespace":"default","uid":"uid-web"},"spec":{"containers":[{"name":"c","image":"nginx","ports":[{"containerPort":80}]}]},"status":{"phase":"Running"}}"""),
                        _ => ("404 Not Found", """{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}"""),
                    };
                    var bytes = Encoding.UTF8.GetBytes(body);
                    await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {bytes.Length}\r\n\r\n"));
                    await stream.WriteAsync(bytes);
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
            {
            }
            finally
            {
                await stream.DisposeAsync();
            }
        }

        private async Task UpgradeAsync(NetworkStream stream, Dictionary<string, string> headers)
        {
            var upgrade = headers.GetValueOrDefault("Upgrade", "");
            LastUpgrade = upgrade;
            var options = new PortForwardOptions(PodName: "web", PodUid: "uid-web");
            if (upgrade.Equals("websocket", StringComparison.OrdinalIgnoreCase))
            {
                const string protocol = "SPDY/3.1+portforward.k8s.io";
                var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(headers["Sec-WebSocket-Key"] + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\nSec-WebSocket-Protocol: {protocol}\r\n\r\n"));
                // .NET refuses '/' in WebSocketCreationOptions.SubProtocol (not an RFC 7230 token), so the negotiated
                // protocol is only named in the 101 response written above.
                var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true });
                await using var tunnel = WebSocketStream.Create(socket, WebSocketMessageType.Binary, ownsWebSocket: true);
                await PortForwardServer.ServeAsync(tunnel, Backend, options, null, _stop.Token);
                return;
            }
            await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\n\r\n"));
            await PortForwardServer.ServeAsync(stream, Backend, options, null, _stop.Token);
        }

        /// <summary>The request head (byte by byte, so nothing after it is consumed), or null at the connection's end.</summary>
        private static async Task<string?> ReadHeadAsync(Stream stream)
        {
            var head = new List<byte>();
            var one = new byte[1];
            while (true)
            {
                if (await stream.ReadAsync(one) == 0)
                {
                    return null;
                }
                head.Add(one[0]);
                if (head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n')
                {
                    return Encoding.ASCII.GetString([.. head]).TrimEnd();
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _acceptLoop;
            Task[] connections;
            lock (_connections)
            {
                connections = [.. _connections];
            }
            await Task.WhenAll(connections).WaitAsync(Deadline);
            Directory.Delete(_directory, recursive: true);
        }
    }
}
