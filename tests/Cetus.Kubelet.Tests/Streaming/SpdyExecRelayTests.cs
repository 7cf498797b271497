using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Cetus.Kubelet.Server;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;
using static Cetus.Kubelet.Tests.Streaming.SpdyTestKit;

namespace Cetus.Kubelet.Tests.Streaming;

/// <summary>
/// The exec/attach stream translator: a client WebSocket (kubectl's side, over a loopback TCP pair) relayed by
/// <see cref="SpdyExecRelay"/> to a fake runtime stream server speaking SPDY remotecommand v4.
/// </summary>
public sealed class SpdyExecRelayTests : IAsyncLifetime
{
    private const string V5 = "v5.channel.k8s.io";
    private const string V4 = "v4.channel.k8s.io";
    private const string Success = """{"metadata":{},"status":"Success"}""";
    private readonly List<IDisposable> _sockets = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Stdin_IsEchoed_AndTheV5CloseSignal_ReachesTheCommandAsEndOfInput()
    {
        var sawEndOfInput = false;
        await using var runtime = new FakeExecRuntime(async exec =>
        {
            var buffer = new byte[1024];
            int read;
            while ((read = await exec["stdin"]!.ReadAsync(buffer)) > 0)
            {
                await exec["stdout"]!.WriteAsync(buffer.AsMemory(0, read));
            }
            sawEndOfInput = true;
            await exec["stdout"]!.WriteAsync(Ascii("done\n"));
            await exec.WriteAsync("error", Success);
        }, expectedStreams: 3);
        var (kubectl, relay) = await StartAsync(runtime, V5, stdin: true, stdout: true, stderr: false, tty: false);

        await kubectl.SendAsync(0, "hello ");
        Assert.Equal("hello ", await kubectl.ReceiveTextAsync(1));
        await kubectl.SendAsync(0, "world\n");
        await kubectl.SendAsync(255, [0]);
        var received = await kubectl.ReceiveUntilCloseAsync();

        await relay.WaitAsync(Deadline);
        Assert.True(sawEndOfInput);
        Assert.Equal("hello world\ndone\n", received.Text(1));
        Assert.Equal([Success], received.Statuses);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, received.CloseStatus);
        Assert.StartsWith("POST /exec/Ab3dToken HTTP/1.1\r\n", runtime.RequestHead, StringComparison.Ordinal);
        Assert.Contains("Upgrade: SPDY/3.1\r\n", runtime.RequestHead, StringComparison.Ordinal);
        Assert.Contains("X-Stream-Protocol-Version: v4.channel.k8s.io\r\n", runtime.RequestHead, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StdoutAndStderr_StaySeparate_AndANonZeroExitStatus_IsForwardedOnChannel3_AfterTheOutput()
    {
        // As upstream: output, then the Status on the error stream, then every stream reset and the connection closed.
        await using var runtime = new FakeExecRuntime(async exec =>
        {
            await exec.WriteAsync("stdout", "to stdout\n");
            await exec.WriteAsync("stderr", "to stderr\n");
            await exec.WriteAsync("error", FakeExec.ExitStatus(3));
        }, expectedStreams: 4);
        var (kubectl, relay) = await StartAsync(runtime, V5, stdin: true, stdout: true, stderr: true, tty: false);

        var received = await kubectl.ReceiveUntilCloseAsync();

        await relay.WaitAsync(Deadline);
        var exec = await runtime.Started;
        Assert.Equal(["error", "stdin", "stdout", "stderr"], exec.StreamTypes);
        Assert.Equal("to stdout\n", received.Text(1));
        Assert.Equal("to stderr\n", received.Text(2));
        var status = Assert.Single(received.Statuses);
        Assert.Equal(FakeExec.ExitStatus(3), status);
        using var parsed = JsonDocument.Parse(status);
        Assert.Equal("3", parsed.RootElement.GetProperty("details").GetProperty("causes")[0].GetProperty("message").GetString());
        Assert.Equal((byte)3, received.Order[^1]);
    }

    [Fact]
    public async Task OutputLargerThanTheStreamBuffers_ArrivesWholeAndInOrder_BeforeTheStatus()
    {
        // The runtime closes right after the Status while the relay still reads its buffered output: nothing the relay
        // writes then (a WINDOW_UPDATE) may draw a TCP reset, which would discard that output.
        var output = string.Concat(Enumerable.Range(0, 50_000).Select(i => $"line {i:D6} of the output\n"));
        await using var runtime = new FakeExecRuntime(async exec =>
        {
            await exec.WriteAsync("stdout", output);
            await exec.WriteAsync("error", Success);
        }, expectedStreams: 2);
        var (kubectl, relay) = await StartAsync(runtime, V5, stdin: false, stdout: true, stderr: false, tty: false);

        var received = await kubectl.ReceiveUntilCloseAsync();

        await relay.WaitAsync(Deadline);
        Assert.True(output.Length > 1024 * 1024);
        Assert.Equal(output, received.Text(1));
        Assert.Equal([Success], received.Statuses);
        Assert.Equal((byte)3, received.Order[^1]);
    }

    [Fact]
    public async Task AnErrorStreamThatEndsEmpty_IsSuccess()
    {
        await using var runtime = new FakeExecRuntime(async exec =>
        {
            await exec.WriteAsync("stdout", "quiet");
            await exec["error"]!.CloseWriteAsync(default);
        }, expectedStreams: 2);
        var (kubectl, relay) = await StartAsync(runtime, V5, stdin: false, stdout: true, stderr: false, tty: false);

        var received = await kubectl.ReceiveUntilCloseAsync();

        await relay.WaitAsync(Deadline);
        Assert.Equal("quiet", received.Text(1));
        Assert.Equal([Success], received.Statuses);
    }

    [Fact]
    public async Task Tty_CreatesAResizeStreamAndNoStderr_AndForwardsResizeMessagesAsTheyAre()
    {
        const string size = """{"Width":120,"Height":40}""";
        var resized = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var runtime = new FakeExecRuntime(async exec =>
        {
            var buffer = new byte[256];
            var text = "";
            while (!text.Contains(size, StringComparison.Ordinal))
            {
                var read = await exec["resize"]!.ReadAsync(buffer);
                Assert.NotEqual(0, read);
                text += Encoding.UTF8.GetString(buffer, 0, read);
            }
            resized.SetResult(text);
            await exec.WriteAsync("stdout", "resized\r\n");
            await exec.WriteAsync("error", Success);
        }, expectedStreams: 4);
        var (kubectl, relay) = await StartAsync(runtime, V5, stdin: true, stdout: true, stderr: true, tty: true);

        await kubectl.SendAsync(4, size);
        var received = await kubectl.ReceiveUntilCloseAsync();

        await relay.WaitAsync(Deadline);
        Assert.Equal(["error", "stdin", "stdout", "resize"], (await runtime.Started).StreamTypes);
        Assert.Equal(size, await resized.Task.WaitAsync(Deadline));
        Assert.Equal("resized\r\n", received.Text(1));
        Assert.Equal([Success], received.Statuses);
    }

    [Fact]
    public async Task AV4Client_HasNoCloseSignal_SoChannel255IsIgnored_AndStdinKeepsFlowing()
    {
        // Had [255, 0] been taken for v5's close of stdin, "abc\n" would not reach the command (end of stream instead).
        await using var runtime = new FakeExecRuntime(async exec =>
        {
            var line = await ReadExactlyAsync(exec["stdin"]!, 4);
            await exec["stdout"]!.WriteAsync(line);
            await exec.WriteAsync("error", FakeExec.ExitStatus(1));
        }, expectedStreams: 3);
        var (kubectl, relay) = await StartAsync(runtime, V4, stdin: true, stdout: true, stderr: false, tty: false);

        await kubectl.SendAsync(255, [0]);
        await kubectl.SendAsync(0, "abc\n");
        var received = await kubectl.ReceiveUntilCloseAsync();

        await relay.WaitAsync(Deadline);
        Assert.Equal("abc\n", received.Text(1));
        Assert.Equal([FakeExec.ExitStatus(1)], received.Statuses);
    }

    [Fact]
    public async Task AClientThatGoesAway_ResetsTheRuntimesStreams_AndEndsTheRelay()
    {
        var stdinOutcome = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var runtime = new FakeExecRuntime(async exec =>
        {
            var buffer = new byte[1024];
            try
            {
                int read;
                while ((read = await exec["stdin"]!.ReadAsync(buffer)) > 0)
                {
                    await exec["stdout"]!.WriteAsync(buffer.AsMemory(0, read));
                }
                stdinOutcome.SetResult("end of input");
            }
            catch (IOException e)
            {
                stdinOutcome.SetResult(e.Message);
            }
            await exec.Session.Completion.WaitAsync(Deadline);
        }, expectedStreams: 3);
        var (kubectl, relay) = await StartAsync(runtime, V5, stdin: true, stdout: true, stderr: false, tty: false);
        await kubectl.SendAsync(0, "ping");
        Assert.Equal("ping", await kubectl.ReceiveTextAsync(1));

        kubectl.Abort();

        await relay.WaitAsync(Deadline);
        Assert.Contains("reset", await stdinOutcome.Task.WaitAsync(Deadline), StringComparison.Ordinal);
        await runtime.Ended.WaitAsync(Deadline);
        Assert.True((await runtime.Started).Session.Ended);
    }

    [Fact]
    public async Task ARuntimeThatRefusesTheUpgrade_IsAClearException_AndTheClientGetsAFailureStatus()
    {
        await using var runtime = new FakeExecRuntime(_ => Task.CompletedTask, expectedStreams: 2, refusal: "unknown or expired token");
        var (kubectl, relay) = await StartAsync(runtime, V5, stdin: false, stdout: true, stderr: false, tty: false);

        var received = await kubectl.ReceiveUntilCloseAsync();

        var error = await Assert.ThrowsAsync<IOException>(() => relay.WaitAsync(Deadline));
        Assert.Equal("the runtime's stream server refused the SPDY upgrade: 404 Not Found: unknown or expired token", error.Message);
        using var status = JsonDocument.Parse(Assert.Single(received.Statuses));
        Assert.Equal("Failure", status.RootElement.GetProperty("status").GetString());
        Assert.Equal(error.Message, status.RootElement.GetProperty("message").GetString());
    }

    [Fact]
    public async Task ARuntimeThatChoosesNoKnownProtocol_IsRefused()
    {
        await using var runtime = new FakeExecRuntime(_ => Task.CompletedTask, expectedStreams: 2, protocol: "v1.channel.k8s.io");

        var error = await Assert.ThrowsAsync<IOException>(() => RuntimeExecConnection.ConnectAsync(runtime.Url, false, true, false, false, NullLogger.Instance, default).WaitAsync(Deadline));

        Assert.Contains("chose no supported protocol (X-Stream-Protocol-Version: v1.channel.k8s.io", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BeforeV4_TheErrorStreamsTextBecomesAFailureStatus()
    {
        await using var runtime = new FakeExecRuntime(exec => exec.WriteAsync("error", "container not running"), expectedStreams: 2, protocol: "v3.channel.k8s.io");
        var (kubectl, relay) = await StartAsync(runtime, V5, stdin: false, stdout: true, stderr: false, tty: false);

        var received = await kubectl.ReceiveUntilCloseAsync();

        await relay.WaitAsync(Deadline);
        using var status = JsonDocument.Parse(Assert.Single(received.Statuses));
        Assert.Equal("Failure", status.RootElement.GetProperty("status").GetString());
        Assert.Equal("error executing remote command: container not running", status.RootElement.GetProperty("message").GetString());
    }

    private async Task<(KubectlSide Kubectl, Task Relay)> StartAsync(FakeExecRuntime runtime, string protocol, bool stdin, bool stdout, bool stderr, bool tty)
    {
        var (client, server) = await LoopbackPairAsync();
        var kubectl = WebSocket.CreateFromStream(client, new WebSocketCreationOptions { IsServer = false, SubProtocol = protocol });
        var kubelet = WebSocket.CreateFromStream(server, new WebSocketCreationOptions { IsServer = true, SubProtocol = protocol });
        _sockets.AddRange([kubectl, kubelet, client, server]);
        return (new KubectlSide(kubectl), RelayAsync());

        // As Kestrel does when the kubelet's handler returns: the connection closes (kubectl waits for that).
        async Task RelayAsync()
        {
            try
            {
                await SpdyExecRelay.RunAsync(kubelet, protocol, runtime.Url, stdin, stdout, stderr, tty, NullLogger.Instance, default);
            }
            finally
            {
                kubelet.Dispose();
                await server.DisposeAsync();
            }
        }
    }

    /// <summary>What kubectl does on its WebSocket: channel-prefixed messages out, messages by channel in.</summary>
    private sealed class KubectlSide(WebSocket socket)
    {
        private readonly Dictionary<byte, StringBuilder> _text = [];
        private readonly List<string> _statuses = [];
        private readonly List<byte> _order = [];

        public Task SendAsync(byte channel, string text) => SendAsync(channel, Encoding.UTF8.GetBytes(text));

        public async Task SendAsync(byte channel, byte[] payload) =>
            await socket.SendAsync(new ArraySegment<byte>([channel, .. payload]), WebSocketMessageType.Binary, true, default).WaitAsync(Deadline);

        public void Abort() => socket.Abort();

        /// <summary>Messages until one on <paramref name="channel"/> arrives; returns that one's text.</summary>
        public async Task<string> ReceiveTextAsync(byte channel)
        {
            while (true)
            {
                var (got, text, closed) = await ReceiveAsync();
                Assert.False(closed, "the relay closed the WebSocket");
                if (got == channel)
                {
                    return text;
                }
            }
        }

        /// <summary>Everything up to the relay's close (answered), by channel.</summary>
        public async Task<Received> ReceiveUntilCloseAsync()
        {
            while (!(await ReceiveAsync()).Closed)
            {
            }
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, default).WaitAsync(Deadline);
            return new Received(_text.ToDictionary(p => p.Key, p => p.Value.ToString()), _statuses, _order, socket.CloseStatus);
        }

        private async Task<(byte Channel, string Text, bool Closed)> ReceiveAsync()
        {
            var message = new MemoryStream();
            var buffer = new byte[4096];
            ValueWebSocketReceiveResult received;
            do
            {
                received = await socket.ReceiveAsync(buffer.AsMemory(), default).AsTask().WaitAsync(Deadline);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    return (0, "", true);
                }
                message.Write(buffer, 0, received.Count);
            }
            while (!received.EndOfMessage);

            var bytes = message.ToArray();
            var text = Encoding.UTF8.GetString(bytes, 1, bytes.Length - 1);
            _order.Add(bytes[0]);
            if (bytes[0] == 3)
            {
                _statuses.Add(text);
            }
            else
            {
                (_text.TryGetValue(bytes[0], out var sb) ? sb : _text[bytes[0]] = new StringBuilder()).Append(text);
            }
            return (bytes[0], text, false);
        }
    }

    private sealed record Received(Dictionary<byte, string> Channels, List<string> Statuses, List<byte> Order, WebSocketCloseStatus? CloseStatus)
    {
        public string Text(byte channel) => Channels.TryGetValue(channel, out var text) ? text : "";
    }
}
