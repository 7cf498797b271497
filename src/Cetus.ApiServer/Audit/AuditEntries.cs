using Cetus.ApiServer.Http;
using Cetus.ApiServer.Routing;
using Microsoft.AspNetCore.Http;

namespace Cetus.ApiServer.Audit;

/// <summary>Builds a request's audit entry once its response is complete.</summary>
internal static class AuditEntries
{
    private const string CreatedNameKey = "cetus.audit.created-name";

    /// <summary>Names the object a create made, which its URL does not (as upstream completes objectRef from the request object).</summary>
    public static void NameCreatedObject(HttpContext context, string? name) => context.Items[CreatedNameKey] = name;

    public static AuditEntry Of(HttpContext context, RequestLabels labels, DateTimeOffset received)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        var info = labels.Resource.Length > 0 ? RequestInfo.Parse(path) : null;
        var impersonator = Authentication.ImpersonatorOf(context);
        var user = Authentication.UserOf(context);
        return new AuditEntry
        {
            AuditId = context.TraceIdentifier,
            RequestUri = path + request.QueryString.Value,
            Verb = info is null ? request.Method.ToLowerInvariant() : Verb(labels.Verb),
            User = impersonator ?? user,
            ImpersonatedUser = impersonator is null ? null : user,
            SourceIp = context.Connection.RemoteIpAddress?.ToString(),
            UserAgent = request.Headers.UserAgent.ToString(),
            ObjectRef = info is null ? null : new AuditObjectRef(info.Resource, info.Namespace, info.Name.Length > 0 ? info.Name : context.Items[CreatedNameKey] as string ?? string.Empty, info.Group, info.Version, info.Subresource),
            Code = context.Response.StatusCode,
            Received = received,
            Completed = DateTimeOffset.UtcNow,
        };
    }

    private static string Verb(string labelVerb) => labelVerb switch
    {
        "POST" => "create",
        "PUT" => "update",
        _ => labelVerb.ToLowerInvariant(),
    };
}
