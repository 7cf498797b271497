namespace Cetus.Client.Http;

/// <summary>Which requests are streams: answers that stay open for as long as the caller wants.</summary>
public static class StreamRequests
{
    /// <summary>True for a watch (<c>?watch=true</c> or the legacy <c>/watch/</c> paths).</summary>
    public static bool IsWatch(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var uri = request.RequestUri;
        if (uri is null)
        {
            return false;
        }

        var query = uri.Query;
        return query.Contains("watch=true", StringComparison.Ordinal) || query.Contains("watch=1", StringComparison.Ordinal)
            || uri.AbsolutePath.Contains("/watch/", StringComparison.Ordinal);
    }

    /// <summary>True for a watch, a followed log, or a streaming subresource (exec, attach, portforward).</summary>
    public static bool IsStream(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var uri = request.RequestUri;
        if (uri is null)
        {
            return false;
        }

        var path = uri.AbsolutePath;
        return IsWatch(request) || uri.Query.Contains("follow=true", StringComparison.Ordinal)
            || path.EndsWith("/exec", StringComparison.Ordinal) || path.EndsWith("/attach", StringComparison.Ordinal)
            || path.EndsWith("/portforward", StringComparison.Ordinal);
    }
}
