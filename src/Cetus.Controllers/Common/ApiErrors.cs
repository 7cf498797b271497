using System.Net;
using k8s.Autorest;

namespace Cetus.Controllers.Common;

/// <summary>Classifies API errors as apimachinery's errors.IsNotFound and friends do.</summary>
public static class ApiErrors
{
    /// <summary>404.</summary>
    public static bool IsNotFound(Exception e) => Status(e) == HttpStatusCode.NotFound;

    /// <summary>409 with reason AlreadyExists (a create of an existing name).</summary>
    public static bool IsAlreadyExists(Exception e) => Status(e) == HttpStatusCode.Conflict && e is HttpOperationException h && h.Response.Content?.Contains("AlreadyExists", StringComparison.Ordinal) == true;

    /// <summary>409 with reason Conflict (a stale resourceVersion).</summary>
    public static bool IsConflict(Exception e) => Status(e) == HttpStatusCode.Conflict && !IsAlreadyExists(e);

    /// <summary>A 403 about a namespace being terminated: creations there are expected to fail.</summary>
    public static bool IsNamespaceTerminating(Exception e) => e is HttpOperationException h && h.Response.Content?.Contains("NamespaceTerminating", StringComparison.Ordinal) == true;

    private static HttpStatusCode? Status(Exception e) => e is HttpOperationException h ? h.Response?.StatusCode : null;
}
