using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.ApiServer.Errors;

/// <summary>The Status errors kube-apiserver sends, with its codes, reasons and wording (apimachinery's api/errors).</summary>
public static class Problems
{
    /// <summary>404: <c>pods "web" not found</c>.</summary>
    public static ApiException NotFound(string group, string resource, string name) =>
        New(404, "NotFound", $"{Qualified(group, resource)} \"{name}\" not found", Details(group, resource, name));

    /// <summary>404 for a path that names no resource.</summary>
    public static ApiException PathNotFound(string path) =>
        New(404, "NotFound", "the server could not find the requested resource", new V1StatusDetails());

    /// <summary>409: <c>pods "web" already exists</c>.</summary>
    public static ApiException AlreadyExists(string group, string resource, string name) =>
        New(409, "AlreadyExists", $"{Qualified(group, resource)} \"{name}\" already exists", Details(group, resource, name));

    /// <summary>409 on a stale resourceVersion.</summary>
    public static ApiException Conflict(string group, string resource, string name, string why = "the object has been modified; please apply your changes to the latest version and try again") =>
        New(409, "Conflict", $"Operation cannot be fulfilled on {Qualified(group, resource)} \"{name}\": {why}", Details(group, resource, name));

    /// <summary>422 with one cause per field error: <c>Pod "web" is invalid: [spec.containers[0].image: Required value, …]</c>.</summary>
    public static ApiException Invalid(string group, string kind, string name, IReadOnlyList<FieldError> errors)
    {
        var joined = errors.Count == 1 ? errors[0].Message : "[" + string.Join(", ", errors.Select(e => e.Message)) + "]";
        var details = new V1StatusDetails
        {
            Group = group.Length == 0 ? null : group,
            Kind = kind,
            Name = name,
            Causes = errors.Select(e => new V1StatusCause { Reason = e.Type.ToString(), Message = Cetus.Api.Validation.FieldErrors.Body(e), Field = e.Field }).ToList(),
        };
        return New(422, "Invalid", $"{kind}{(group.Length == 0 ? string.Empty : "." + group)} \"{name}\" is invalid: {joined}", details);
    }

    /// <summary>400 BadRequest.</summary>
    public static ApiException BadRequest(string message) => New(400, "BadRequest", message, null);

    /// <summary>405 MethodNotAllowed.</summary>
    public static ApiException MethodNotSupported(string group, string resource, string verb) =>
        New(405, "MethodNotAllowed", $"{verb} is not supported on resources of kind \"{Qualified(group, resource)}\"", new V1StatusDetails { Group = group.Length == 0 ? null : group, Kind = resource });

    /// <summary>406 NotAcceptable.</summary>
    public static ApiException NotAcceptable(string accepted) =>
        New(406, "NotAcceptable", $"only the following media types are accepted: {accepted}", null);

    /// <summary>406 NotAcceptable with kube-apiserver's own words (a representation the object has no form in).</summary>
    public static ApiException NotAcceptableAs(string message) => New(406, "NotAcceptable", message, null);

    /// <summary>410 Gone: the resourceVersion is older than the history kept.</summary>
    public static ApiException Gone(string message) => New(410, "Expired", message, null);

    /// <summary>413 RequestEntityTooLarge.</summary>
    public static ApiException TooLarge(long limit) =>
        New(413, "RequestEntityTooLarge", $"Request entity too large: limit is {limit}", null);

    /// <summary>415 UnsupportedMediaType.</summary>
    public static ApiException UnsupportedMediaType(string supported) =>
        New(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: {supported}", null);

    /// <summary>401 Unauthorized.</summary>
    public static ApiException Unauthorized() => New(401, "Unauthorized", "Unauthorized", null);

    /// <summary>403 Forbidden.</summary>
    public static ApiException Forbidden(string message) => New(403, "Forbidden", message, null);

    /// <summary>403 about one object, as apimachinery's NewForbidden: <c>namespaces "kube-system" is forbidden: …</c>.</summary>
    public static ApiException Forbidden(string group, string resource, string name, string why, params V1StatusCause[] causes)
    {
        var details = Details(group, resource, name);
        details.Causes = causes.Length == 0 ? null : causes;
        return New(403, "Forbidden", $"{Qualified(group, resource)} \"{name}\" is forbidden: {why}", details);
    }

    /// <summary>429 TooManyRequests.</summary>
    public static ApiException TooManyRequests(string message, int retryAfterSeconds) =>
        new(Status(429, "TooManyRequests", message, new V1StatusDetails { RetryAfterSeconds = retryAfterSeconds })) { RetryAfterSeconds = retryAfterSeconds };

    /// <summary>500 InternalError, for failures that are the server's, never the client's input.</summary>
    public static ApiException Internal(string message) => New(500, "InternalError", $"Internal error occurred: {message}", null);

    /// <summary>503/504 when the datastore is unavailable or slow.</summary>
    public static ApiException Unavailable(string message) => New(503, "ServiceUnavailable", message, null);

    /// <summary>A Status object with the given fields.</summary>
    public static V1Status Status(int code, string reason, string message, V1StatusDetails? details) => new()
    {
        ApiVersion = "v1",
        Kind = "Status",
        Metadata = new V1ListMeta(),
        Status = "Failure",
        Message = message,
        Reason = reason,
        Details = details,
        Code = code,
    };

    private static ApiException New(int code, string reason, string message, V1StatusDetails? details) =>
        new(Status(code, reason, message, details));

    private static V1StatusDetails Details(string group, string resource, string name) =>
        new() { Name = name, Group = group.Length == 0 ? null : group, Kind = resource };

    private static string Qualified(string group, string resource) => group.Length == 0 ? resource : $"{resource}.{group}";
}
