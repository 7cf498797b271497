using System.Net;
using k8s.Autorest;

namespace Cetus.Kubelet.Api;

/// <summary>Classifies API failures.</summary>
internal static class ApiErrors
{
    public static bool IsConflict(Exception e) => e is HttpOperationException { Response.StatusCode: HttpStatusCode.Conflict };

    public static bool IsNotFound(Exception e) => e is HttpOperationException { Response.StatusCode: HttpStatusCode.NotFound };
}
