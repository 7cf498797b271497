using System.Net;
using System.Net.Sockets;
using System.Text;
using Cetus.Kubelet.Streaming.Spdy;

namespace Cetus.Kubelet.Tests.Streaming;

/// <summary>
/// A runtime stream server for one exec, as containerd's (the kubelet's remotecommand server) behaves: a loopback
/// listener that answers <c>Upgrade: SPDY/3.1</c> with 101 and protocol v4.channel.k8s.io (or refuses it), runs a
/// server-role SPDY session, accepts and answers the expected number of streams, then runs the test's command. When
/// the command returns, every stream is reset and the session closed, as upstream's ServeExec does.
/// </summary>
internal sealed class FakeExecRuntime : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<FakeExec, Task> _command;
    private readonly int _expectedStreams;
    private readonly string? _refusal;
    private readonly string _protocol;
    private readonly TaskCompletionSource<FakeExec> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serve;

    /// <param name="command">What the "process" does with its streams.</param>
    /// <param name="expectedStreams">How many streams the client must create (upstream counts them from the flags).</param>
    /// <param name="refusal">If set, the upgrade is answered 404 with this body.</param>
    /// <param name="protocol">The X-Stream-Protocol-Version the server chooses.</param>
    public FakeExecRuntime(Func<FakeExec, Task> command, int expectedStreams, string? refusal = null, string protocol = "v4.channel.k8s.io")
    {
        _command = command;
        _expectedStreams = expectedStreams;
        _refusal = refusal;
        _protocol = protocol;
        _listener.Start();
        _serve = ServeAsync();
    }

    /// <summary>The URL CRI Exec would return.</summary>
    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/exec/Ab3dToken";

    /// <summary>The upgrade request's head, once received.</summary>
    public string RequestHead { get; private set; } = "";

    /// <summary>The exec, once its streams were all created.</summary>
    public Task<FakeExec> Started => _started.Task;

    /// <summary>Completes when the command returned and the session was closed (it never faults).</summary>
    public Task Ended => _serve;

    private async Task ServeAsync()
    {
        try
        {
            using var socket = await _listener.AcceptSocketAsync(_stop.Token);
            socket.NoDelay = true;
            var transport = new NetworkStream(socket, ownsSocket: false);
            RequestHead = await ReadHeadAsync(transport, _stop.Token);
            if (_refusal is not null)
            {
                var body = Encoding.UTF8.GetBytes(_refusal);
                await transport.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {body.Length}\r\n\r\n"), _stop.Token);
                await transport.WriteAsync(body, _stop.Token);
                return;
            }

            await transport.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: {_protocol}\r\n\r\n"), _stop.Token);
            await using var session = new SpdySession(transport, isServer: true).Start();
            var streams = new List<SpdyStream>();
            while (streams.Count < _expectedStreams && await session.AcceptStreamAsync(_stop.Token) is { } stream)
            {
                await stream.ReplyAsync(null, fin: false, _stop.Token);
                streams.Add(stream);
            }

            var exec = new FakeExec(session, streams);
            _started.TrySetResult(exec);
            try
            {
                await _command(exec);
            }
            finally
            {
                foreach (var stream in streams)
                {
                    try
                    {
                        await stream.ResetAsync(SpdyRstStatus.Cancel, default);
                    }
                    catch (IOException)
                    {
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
        {
            _started.TrySetException(e);
        }
    }

    private static async Task<string> ReadHeadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
            {
                throw new IOException("the client closed before its request head ended");
            }
            head.Append((char)one[0]);
        }
        return head.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _serve.WaitAsync(SpdyTestKit.Deadline);
        _stop.Dispose();
    }
}

/// <summary>The runtime's side of one exec: its streams by streamType, in the order the client created them.</summary>
internal sealed class FakeExec(SpdySession session, IReadOnlyList<SpdyStream> streams)
{
    public SpdySession Session => session;

    public IReadOnlyList<string?> StreamTypes { get; } = [.. streams.Select(s => s.Headers.Get("streamType"))];

    public SpdyStream? this[string streamType] => streams.FirstOrDefault(s => s.Headers.Get("streamType") == streamType);

    public Task WriteAsync(string streamType, string text) =>
        this[streamType]!.WriteAsync(Encoding.UTF8.GetBytes(text)).AsTask();

    /// <summary>The Status JSON upstream writes for a command that exited with <paramref name="code"/>.</summary>
    public static string ExitStatus(int code) =>
        $$$"""{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: error executing command [sh -c exit {{{code}}}], exit code {{{code}}}","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"{{{code}}}"}]}}""";
}
