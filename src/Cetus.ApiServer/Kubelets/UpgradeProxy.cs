using System.Globalization;
using System.Text;
using Cetus.ApiServer.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Cetus.ApiServer.Kubelets;

/// <summary>
/// kube-apiserver's upgrade-aware proxy for exec, attach and portforward: the client's upgrade request (WebSocket, or
/// SPDY/3.1 as kubectl's fallback) goes to the kubelet as it came, the kubelet's answer comes back, and after a 101
/// both connections become one byte pipe — the streaming protocol passes through untouched.
/// </summary>
internal static class UpgradeProxy
{
    // Headers the upgrade needs, both ways; the rest of the client's headers (its credentials above all) stay here.
    private static readonly string[] RequestHeaders = ["Upgrade", "Connection", "Sec-WebSocket-Key", "Sec-WebSocket-Version", "Sec-WebSocket-Protocol", "X-Stream-Protocol-Version"];
    private static readonly string[] ResponseHeaders = ["Upgrade", "Sec-WebSocket-Accept", "Sec-WebSocket-Protocol", "X-Stream-Protocol-Version"];
    private const int MaxHeadBytes = 64 * 1024;

    /// <summary>Proxies <paramref name="context"/>'s upgrade request to <paramref name="pathAndQuery"/> on the kubelet.</summary>
    public static async Task ProxyAsync(HttpContext context, KubeletConnector kubelets, KubeletEndpoint endpoint, string pathAndQuery)
    {
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        if (upgrade is not { IsUpgradableRequest: true })
        {
            throw Problems.BadRequest("Upgrade request required");
        }

        var aborted = context.RequestAborted;
        await using var kubelet = await kubelets.ConnectAsync(endpoint, aborted).ConfigureAwait(false);
        var request = new StringBuilder();
        request.Append(CultureInfo.InvariantCulture, $"{context.Request.Method} {pathAndQuery} HTTP/1.1\r\nHost: {endpoint.Host}:{endpoint.Port}\r\n");
        foreach (var name in RequestHeaders)
        {
            if (context.Request.Headers.TryGetValue(name, out var values))
            {
                request.Append(CultureInfo.InvariantCulture, $"{name}: {string.Join(", ", values.ToArray())}\r\n");
            }
        }

        request.Append(context.Request.Method == "POST" ? "Content-Length: 0\r\n\r\n" : "\r\n");
        await kubelet.WriteAsync(Encoding.ASCII.GetBytes(request.ToString()), aborted).ConfigureAwait(false);
        await kubelet.FlushAsync(aborted).ConfigureAwait(false);

        var (status, headers, rest) = await ReadHeadAsync(kubelet, aborted).ConfigureAwait(false);
        if (status != 101)
        {
            await RelayErrorAsync(context, kubelet, status, headers, rest).ConfigureAwait(false);
            return;
        }

        foreach (var name in ResponseHeaders)
        {
            if (headers.TryGetValue(name, out var value))
            {
                context.Response.Headers[name] = value;
            }
        }

        await using var client = await upgrade.UpgradeAsync().ConfigureAwait(false);
        if (rest.Length > 0)
        {
            await client.WriteAsync(rest, aborted).ConfigureAwait(false);
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        var up = PumpAsync(client, kubelet, stop.Token);
        var down = PumpAsync(kubelet, client, stop.Token);
        await Task.WhenAny(up, down).ConfigureAwait(false);
        // One side ended: the session is over for both.
        await stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(up, down).ConfigureAwait(false);
    }

    private static async Task PumpAsync(Stream from, Stream to, CancellationToken cancellationToken)
    {
        var buffer = new byte[32 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                await to.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // Either side went away.
        }
    }

    // The status code, headers and any bytes read past the head.
    private static async Task<(int Status, Dictionary<string, string> Headers, byte[] Leftover)> ReadHeadAsync(Stream kubelet, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxHeadBytes];
        var length = 0;
        int end;
        while ((end = buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8)) < 0)
        {
            if (length == buffer.Length)
            {
                throw Problems.Internal("the kubelet's response head is larger than 64 KiB");
            }

            var read = await kubelet.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw Problems.Internal("the kubelet closed the connection without answering");
            }

            length += read;
        }

        var lines = Encoding.ASCII.GetString(buffer, 0, end).Split("\r\n");
        var statusParts = lines[0].Split(' ', 3);
        if (statusParts.Length < 2 || !int.TryParse(statusParts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var status))
        {
            throw Problems.Internal($"the kubelet answered with a malformed status line: {lines[0]}");
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
        }

        return (status, headers, buffer[(end + 4)..length]);
    }

    // A refusal (the container is not running, …): its status and body, read by Content-Length or chunks.
    private static async Task RelayErrorAsync(HttpContext context, Stream kubelet, int status, Dictionary<string, string> headers, byte[] rest)
    {
        var body = new MemoryStream();
        body.Write(rest);
        var reader = new BufferedBody(kubelet, body);
        if (headers.TryGetValue("Transfer-Encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            await reader.ReadChunkedAsync(context.RequestAborted).ConfigureAwait(false);
        }
        else if (headers.TryGetValue("Content-Length", out var lengthText) && int.TryParse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture, out var length))
        {
            await reader.FillAsync(Math.Min(length, MaxHeadBytes), context.RequestAborted).ConfigureAwait(false);
            body.SetLength(Math.Min(body.Length, length));
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = headers.GetValueOrDefault("Content-Type", "text/plain");
        var bytes = body.ToArray();
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
    }

    // The body of a small error response, read into memory (at most 64 KiB).
    private sealed class BufferedBody(Stream source, MemoryStream raw)
    {
        public async Task FillAsync(long total, CancellationToken cancellationToken)
        {
            var buffer = new byte[8192];
            while (raw.Length < total)
            {
                var read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                raw.Write(buffer, 0, read);
            }
        }

        public async Task ReadChunkedAsync(CancellationToken cancellationToken)
        {
            // Read until the last chunk (0\r\n\r\n) arrives, then decode the chunks.
            var buffer = new byte[8192];
            while (!raw.ToArray().AsSpan().EndsWith("0\r\n\r\n"u8) && raw.Length < MaxHeadBytes)
            {
                var read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                raw.Write(buffer, 0, read);
            }

            var encoded = raw.ToArray();
            var decoded = new MemoryStream();
            var position = 0;
            while (position < encoded.Length)
            {
                var lineEnd = encoded.AsSpan(position).IndexOf("\r\n"u8);
                if (lineEnd < 0 || !int.TryParse(Encoding.ASCII.GetString(encoded, position, lineEnd).Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var size) || size == 0)
                {
                    break;
                }

                var start = position + lineEnd + 2;
                decoded.Write(encoded, start, Math.Min(size, encoded.Length - start));
                position = start + size + 2;
            }

            raw.SetLength(0);
            decoded.WriteTo(raw);
        }
    }
}
