using Cetus.ApiServer.Errors;
using Cetus.ApiServer.Security;
using Microsoft.AspNetCore.Http;

namespace Cetus.ApiServer.Http;

/// <summary>
/// Identifies every request by its client certificate or bearer token (from the token file, a bootstrap token, or a
/// service-account token); a request with neither, or with one the
/// server does not trust, gets 401 with a Status body.
/// </summary>
internal sealed class Authentication(ApiServerOptions options, ServiceAccountAuthenticator serviceAccounts, BootstrapTokenAuthenticator bootstrapTokens)
{
    private const string UserKey = "cetus.user";
    private const string AuthenticatedKey = "cetus.authenticated-user";

    /// <summary>Who a request without credentials is, when anonymous requests are allowed.</summary>
    public static readonly UserInfo Anonymous = new("system:anonymous", string.Empty, ["system:unauthenticated"]);

    public static UserInfo? UserOf(HttpContext context) => context.Items[UserKey] as UserInfo;

    /// <summary>Replaces the request's user (impersonation: the request acts as the impersonated user from then on).</summary>
    public static void ActAs(HttpContext context, UserInfo user)
    {
        context.Items[AuthenticatedKey] ??= context.Items[UserKey];
        context.Items[UserKey] = user;
    }

    /// <summary>The user the credentials named, when the request impersonates another (null otherwise).</summary>
    public static UserInfo? ImpersonatorOf(HttpContext context) => context.Items[AuthenticatedKey] as UserInfo;

    /// <summary>Whether the request is exactly <c>GET /api/v1/namespaces/kube-public/configmaps/cluster-info</c>.</summary>
    public static bool IsClusterInfoRead(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) && request.Path.Value == ClusterInfoPath && !request.Query.ContainsKey("watch");

    private const string ClusterInfoPath = "/api/v1/namespaces/" + Api.Bootstrap.ClusterInfo.Namespace + "/configmaps/" + Api.Bootstrap.ClusterInfo.Name;

    public async Task<UserInfo> AuthenticateAsync(HttpContext context)
    {
        // As kube-apiserver's union of authenticators: the client certificate first, then bearer tokens (the token file,
        // bootstrap tokens, service-account tokens); the first that accepts the request names the user. Credentials
        // that are presented but refused by all give 401 (never anonymous).
        UserInfo? user = null;
        var presented = false;
        if (await context.Connection.GetClientCertificateAsync(context.RequestAborted).ConfigureAwait(false) is { } certificate)
        {
            presented = true;
            user = options.AuthenticateCertificate(certificate);
        }

        var header = context.Request.Headers.Authorization.ToString();
        if (user is null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            presented = true;
            var token = header["Bearer ".Length..].Trim();
            user = options.AuthenticateToken(token)
                ?? (await bootstrapTokens.AuthenticateAsync(token, context.RequestAborted).ConfigureAwait(false)).User
                ?? (await serviceAccounts.AuthenticateAsync(token, null, context.RequestAborted).ConfigureAwait(false)).User;
        }

        if (user is null && presented)
        {
            throw Problems.Unauthorized();
        }

        if (user is null && (options.AnonymousAuth || IsClusterInfoRead(context.Request)))
        {
            // Without --anonymous-auth, the one request a node makes before it trusts the server (token discovery:
            // GET kube-public/cluster-info) is still anonymous, as kube-apiserver's AnonymousAuthConfig conditions
            // allow; RBAC decides (kubeadm's role lets system:anonymous get that ConfigMap and nothing else).
            // As kube-apiserver's --anonymous-auth: RBAC then lets system:unauthenticated read only the health and version endpoints.
            context.Items[UserKey] = Anonymous;
            return Anonymous;
        }

        // Every authenticated user is in system:authenticated (upstream's AuthenticatedGroupAdder).
        user = (user ?? throw Problems.Unauthorized()).Authenticated();
        context.Items[UserKey] = user;
        return user;
    }
}
