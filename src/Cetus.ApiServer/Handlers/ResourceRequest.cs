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
    private ILookup<string, string>? _parameters;

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

    /// <summary>Fields the body gave more than once (the last one counts).</summary>
    public List<string> Duplicates { get; } = [];

    /// <summary>The query parameters by exact name: Kubernetes' names are case-sensitive (ASP.NET's lookup is not).</summary>
    public ILookup<string, string> Parameters => _parameters ??= Cetus.ApiServer.Http.QueryParameters.Parse(Http.Request.QueryString.Value);

    public string? Query(string name) => Parameters[name].LastOrDefault();

    /// <summary>A boolean parameter as Kubernetes reads one: absent, empty, "0" and "false" are false; anything else is true.</summary>
    public bool QueryFlag(string name) =>
        Query(name) is { Length: > 0 } value && value != "0" && !value.Equals("false", StringComparison.OrdinalIgnoreCase);

    /// <summary>dryRun=All: do everything but store.</summary>
    public bool DryRun
    {
        get
        {
            var values = Parameters["dryRun"].ToList();
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
            Http.Response.Headers.Append("Warning", $"299 - \"{HeaderText(warning)}\"");
        }
    }

    /// <summary>
    /// The warning's text as an HTTP quoted string's content, as kube-apiserver writes it: a quote or a backslash is
    /// escaped with a backslash (client-go's parser reads that back); a header value may carry only printable ASCII
    /// here, so anything else is written as a \u escape.
    /// </summary>
    private static string HeaderText(string text)
    {
        var builder = new System.Text.StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c is '"' or '\\')
            {
                builder.Append('\\').Append(c);
            }
            else if (c is >= ' ' and <= '~')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
        }

        return builder.ToString();
    }
}
