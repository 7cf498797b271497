using Cetus.Api.Scheme;
using Cetus.ApiServer.Errors;
using Cetus.ApiServer.Routing;
using Microsoft.AspNetCore.Http;

namespace Cetus.ApiServer.Handlers;

/// <summary>How unknown or duplicate fields in a body are treated (the fieldValidation parameter).</summary>
public enum FieldValidation
{
    /// <summary>Refused with 400.</summary>
    Strict,

    /// <summary>Accepted, with a Warning header (the default).</summary>
    Warn,

    /// <summary>Dropped silently.</summary>
    Ignore,
}

/// <summary>One request to a resource: the parsed path, the resource, and its query parameters.</summary>
internal sealed class ResourceRequest
{
    public ResourceRequest(HttpContext http, RequestInfo info, ResourceDefinition definition)
    {
        Http = http;
        Info = info;
        Definition = definition;
    }

    public HttpContext Http { get; }

    public RequestInfo Info { get; }

    public ResourceDefinition Definition { get; }

    public string Namespace => Info.Namespace;

    public string Name => Info.Name;

    public CancellationToken Aborted => Http.RequestAborted;

    /// <summary>Warnings to send back in Warning headers.</summary>
    public List<string> Warnings { get; } = [];

    public string? Query(string name)
    {
        var values = Http.Request.Query[name];
        return values.Count == 0 ? null : values[^1];
    }

    public bool QueryFlag(string name) =>
        Query(name) is { } value && (value.Length == 0 || bool.TryParse(value, out var flag) && flag || value == "1");

    /// <summary>dryRun=All: do everything but store.</summary>
    public bool DryRun
    {
        get
        {
            var values = Http.Request.Query["dryRun"];
            foreach (var value in values)
            {
                if (value != "All")
                {
                    throw Problems.BadRequest($"Invalid dry run value: unsupported dry run value \"{value}\"; supported values: All");
                }
            }

            return values.Count > 0;
        }
    }

    public FieldValidation FieldValidation => Query("fieldValidation") switch
    {
        null or "" or "Warn" => FieldValidation.Warn,
        "Strict" => FieldValidation.Strict,
        "Ignore" => FieldValidation.Ignore,
        var other => throw Problems.BadRequest($"fieldValidation must be one of \"Ignore\", \"Warn\", or \"Strict\", got \"{other}\""),
    };

    /// <summary>True when the client asked for a meta.k8s.io Table (kubectl get).</summary>
    public bool WantsTable => Http.Request.Headers.Accept.Any(a => a is not null && a.Contains("as=Table", StringComparison.Ordinal));

    public long? QueryInt64(string name, long min = 0)
    {
        var text = Query(name);
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (!long.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value) || value < min)
        {
            throw Problems.BadRequest($"invalid value for {name}: \"{text}\"");
        }

        return value;
    }

    /// <summary>A resourceVersion parameter: null when absent or empty, else the revision (400 when not a number).</summary>
    public long? ResourceVersion(string name = "resourceVersion")
    {
        var text = Query(name);
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (!long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value))
        {
            throw Problems.BadRequest($"invalid resource version: \"{text}\"");
        }

        return value;
    }

    public void SendWarnings()
    {
        foreach (var warning in Warnings.Distinct())
        {
            Http.Response.Headers.Append("Warning", $"299 - \"{warning.Replace("\"", "\\\"", StringComparison.Ordinal)}\"");
        }
    }
}
