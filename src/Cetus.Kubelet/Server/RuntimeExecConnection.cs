using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Cetus.Kubelet.Streaming.Spdy;
using Microsoft.Extensions.Logging;

namespace Cetus.Kubelet.Server;

/// <summary>
/// An exec or attach session on the runtime's stream server, spoken as client-go's remotecommand client does: an
/// <c>Upgrade: SPDY/3.1</c> request to the URL CRI Exec/Attach returned, then a client-role SPDY session with one
/// stream per <c>streamType</c> — error, stdin (if stdin), stdout (if stdout), stderr (if stderr and not tty),
/// resize (if tty) — each answered by the server before the session is used. Unlike WebSocket v4, SPDY can half-close
/// stdin (FIN), so the command sees its end of input.
/// </summary>
internal sealed class RuntimeExecConnection : IAsyncDisposable
{
    /// <summary>The remotecommand protocols offered to the runtime, preferred first (as client-go offers them).</summary>
    public static readonly string[] Protocols = ["v4.channel.k8s.io", "v3.channel.k8s.io", "v2.channel.k8s.io"];

    /// <summary>The newest protocol, whose error stream carries a metav1.Status JSON (older ones carry plain text).</summary>
    public const string StatusProtocol = "v4.channel.k8s.io";

    // client-go waits this long for each stream's reply (createStreamResponseTimeout); the upgrade gets the same bound.
    private static readonly TimeSpan CreateTimeout = TimeSpan.FromSeconds(30);
    private const int MaxResponseHead = 16 * 1024;
    private const int MaxRefusalBody = 4 * 1024;
    private int _disposed;

    private RuntimeExecConnection(SpdySession session, string protocol, SpdyStream error, SpdyStream? stdin, SpdyStream? stdout, SpdyStream? stderr, SpdyStream? resize)
    {
        Session = session;
        Protocol = protocol;
        Error = error;
        Stdin = stdin;
        Stdout = stdout;
        Stderr = stderr;
        Resize = resize;
    }

    /// <summary>The client-role SPDY session.</summary>
    public SpdySession Session { get; }

    /// <summary>The protocol the runtime chose (one of <see cref="Protocols"/>).</summary>
    public string Protocol { get; }

    /// <summary>The stream on which the runtime reports how the command ended.</summary>
    public SpdyStream Error { get; }

    /// <summary>The command's standard input, if requested.</summary>
    public SpdyStream? Stdin { get; }

    /// <summary>The command's standard output, if requested.</summary>
    public SpdyStream? Stdout { get; }

    /// <summary>The command's standard error, if requested and not a tty.</summary>
    public SpdyStream? Stderr { get; }

    /// <summary>Terminal sizes (JSON <c>{"Width":W,"Height":H}</c>), with a tty.</summary>
    public SpdyStream? Resize { get; }

    /// <summary>
    /// Connects to <paramref name="url"/> (http://HOST:PORT/exec/TOKEN or /attach/TOKEN), upgrades to SPDY/3.1 and
    /// creates the streams. A refused upgrade, an unknown protocol or a stream the runtime does not accept is an
    /// <see cref="IOException"/> naming the cause; the whole is bounded by 30 s.
    /// </summary>
    public static async Task<RuntimeExecConnection> ConnectAsync(string url, bool stdin, bool stdout, bool stderr, bool tty, ILogger logger, CancellationToken cancellationToken)
    {
        var uri = new Uri(url);
        if (uri.Scheme != Uri.UriSchemeHttp)
        {
            throw new IOException($"the runtime's stream URL {uri.GetLeftPart(UriPartial.Authority)} is not http:// (TLS streaming is not supported)");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CreateTimeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? transport = null;
        SpdySession? session = null;
        try
        {
            await socket.ConnectAsync(uri.DnsSafeHost, uri.Port, timeout.Token).ConfigureAwait(false);
            transport = new NetworkStream(socket, ownsSocket: true);
            var protocol = await UpgradeAsync(transport, uri, timeout.Token).ConfigureAwait(false);
            // No WINDOW_UPDATE: see SpdySession.SendsWindowUpdates (the runtime closes right after the Status).
            session = new SpdySession(transport, isServer: false, logger) { SendsWindowUpdates = false }.Start();

            // Opened in client-go's order (the ids reach the wire in this order), then every reply is awaited.
            var error = await OpenAsync(session, "error", timeout.Token).ConfigureAwait(false);
            var input = stdin ? await OpenAsync(session, "stdin", timeout.Token).ConfigureAwait(false) : null;
            var output = stdout ? await OpenAsync(session, "stdout", timeout.Token).ConfigureAwait(false) : null;
            var errors = stderr && !tty ? await OpenAsync(session, "stderr", timeout.Token).ConfigureAwait(false) : null;
            var resize = tty && protocol != "v2.channel.k8s.io" ? await OpenAsync(session, "resize", timeout.Token).ConfigureAwait(false) : null;
            foreach (var stream in new[] { error, input, output, errors, resize })
            {
                if (stream is not null)
                {
                    try
                    {
                        await stream.WaitForReplyAsync(timeout.Token).ConfigureAwait(false);
                    }
                    catch (IOException e)
                    {
                        throw new IOException($"the runtime did not accept the {stream.Headers.Get("streamType")} stream: {e.Message}", e);
                    }
                }
            }

            return new RuntimeExecConnection(session, protocol, error, input, output, errors, resize);
        }
        catch (Exception e)
        {
            if (session is not null)
            {
                await session.DisposeAsync().ConfigureAwait(false);
            }
            else if (transport is not null)
            {
                await transport.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                socket.Dispose();
            }

            if (e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new IOException($"timed out connecting to the runtime's stream server at {uri.GetLeftPart(UriPartial.Authority)}", e);
            }

            if (e is SocketException)
            {
                throw new IOException($"cannot connect to the runtime's stream server at {uri.GetLeftPart(UriPartial.Authority)}: {e.Message}", e);
            }

            throw;
        }
    }

    /// <summary>Resets every stream still open and closes the session (the client went away).</summary>
    public async Task AbortAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        foreach (var stream in new[] { Stdin, Stdout, Stderr, Resize, Error })
        {
            if (stream is not null && !Session.Ended)
            {
                try
                {
                    await stream.ResetAsync(SpdyRstStatus.Cancel, timeout.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or OperationCanceledException)
                {
                    // The session is going away anyway.
                }
            }
        }

        await DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Closes the session (GOAWAY, bounded) and the connection. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await Session.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task<SpdyStream> OpenAsync(SpdySession session, string streamType, CancellationToken cancellationToken) =>
        await session.OpenStreamAsync(new SpdyHeaders([new("streamType", streamType)]), fin: false, cancellationToken).ConfigureAwait(false);

    // Sends the upgrade request and reads the response head byte by byte: SPDY frames may follow it at once.
    private static async Task<string> UpgradeAsync(Stream transport, Uri uri, CancellationToken cancellationToken)
    {
        var request = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"POST {uri.PathAndQuery} HTTP/1.1\r\n")
            .Append(CultureInfo.InvariantCulture, $"Host: {uri.Authority}\r\n")
            .Append("Connection: Upgrade\r\nUpgrade: SPDY/3.1\r\n");
        foreach (var protocol in Protocols)
        {
            request.Append(CultureInfo.InvariantCulture, $"X-Stream-Protocol-Version: {protocol}\r\n");
        }
        request.Append("Content-Length: 0\r\n\r\n");
        await transport.WriteAsync(Encoding.ASCII.GetBytes(request.ToString()), cancellationToken).ConfigureAwait(false);

        var (status, reason, headers) = await ReadResponseHeadAsync(transport, cancellationToken).ConfigureAwait(false);
        if (status != 101)
        {
            var body = await ReadRefusalBodyAsync(transport, headers, cancellationToken).ConfigureAwait(false);
            throw new IOException($"the runtime's stream server refused the SPDY upgrade: {status} {reason}{(body.Length > 0 ? ": " + body : "")}");
        }

        if (!headers.TryGetValue("upgrade", out var upgrade) || !upgrade.Any(u => u.Contains("SPDY/3.1", StringComparison.OrdinalIgnoreCase)))
        {
            throw new IOException("the runtime's stream server switched to a protocol other than SPDY/3.1");
        }

        var chosen = headers.TryGetValue("x-stream-protocol-version", out var versions) ? versions.FirstOrDefault() : null;
        return Protocols.FirstOrDefault(p => p == chosen)
            ?? throw new IOException($"the runtime's stream server chose no supported protocol (X-Stream-Protocol-Version: {chosen ?? "none"}; offered {string.Join(", ", Protocols)})");
    }

    private static async Task<(int Status, string Reason, Dictionary<string, List<string>> Headers)> ReadResponseHeadAsync(Stream transport, CancellationToken cancellationToken)
    {
        var head = new List<byte>(256);
        var one = new byte[1];
        while (head.Count < 4 || head[^1] != '\n' || head[^2] != '\r' || head[^3] != '\n' || head[^4] != '\r')
        {
            if (head.Count >= MaxResponseHead)
            {
                throw new IOException("the runtime's stream server sent a response head larger than 16 KiB");
            }

            if (await transport.ReadAsync(one, cancellationToken).ConfigureAwait(false) == 0)
            {
                throw new IOException("the runtime's stream server closed the connection before answering the SPDY upgrade");
            }

            head.Add(one[0]);
        }

        var lines = Encoding.ASCII.GetString([.. head]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var statusLine = lines[0].Split(' ', 3);
        if (statusLine.Length < 2 || !statusLine[0].StartsWith("HTTP/", StringComparison.Ordinal) || !int.TryParse(statusLine[1], NumberStyles.None, CultureInfo.InvariantCulture, out var status))
        {
            throw new IOException($"the runtime's stream server sent an invalid status line: {lines[0]}");
        }

        var headers = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                var name = line[..colon].Trim();
                if (!headers.TryGetValue(name, out var values))
                {
                    headers[name] = values = [];
                }
                values.Add(line[(colon + 1)..].Trim());
            }
        }

        return (status, statusLine.Length > 2 ? statusLine[2] : "", headers);
    }

    // The refusal's text (the stream server explains an unknown token or a bad request in the body), bounded.
    private static async Task<string> ReadRefusalBodyAsync(Stream transport, Dictionary<string, List<string>> headers, CancellationToken cancellationToken)
    {
        // Only a body of declared length: reading to the end of a kept-alive connection would wait for the timeout.
        if (!headers.TryGetValue("content-length", out var values) || !int.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out var declared))
        {
            return "";
        }

        var length = Math.Min(declared, MaxRefusalBody);
        var body = new byte[length];
        var read = 0;
        try
        {
            int n;
            while (read < length && (n = await transport.ReadAsync(body.AsMemory(read), cancellationToken).ConfigureAwait(false)) > 0)
            {
                read += n;
            }
        }
        catch (IOException)
        {
            // What arrived is enough to explain the refusal.
        }

        return Encoding.UTF8.GetString(body, 0, read).Trim();
    }
}
