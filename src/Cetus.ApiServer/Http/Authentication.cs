using Cetus.ApiServer.Errors;
using Cetus.ApiServer.Security;
using Microsoft.AspNetCore.Http;

namespace Cetus.ApiServer.Http;

/// <summary>
/// Identifies every request by its client certificate or bearer token; a request with neither, or with one the
/// server does not trust, gets 401 with a Status body.
/// </summary>
internal sealed class Authentication(ApiServerOptions options)
{
    private const string UserKey = "cetus.user";

    public static UserInfo? UserOf(HttpContext context) => context.Items[UserKey] as UserInfo;

    public async Task<UserInfo> AuthenticateAsync(HttpContext context)
    {
        UserInfo? user = null;
        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            // A presented token must be valid: a bad token is not excused by a good certificate.
            user = options.AuthenticateToken(header["Bearer ".Length..].Trim()) ?? throw Problems.Unauthorized();
        }
        else if (await context.Connection.GetClientCertificateAsync(context.RequestAborted).ConfigureAwait(false) is { } certificate)
        {
            user = options.AuthenticateCertificate(certificate) ?? throw Problems.Unauthorized();
        }

        context.Items[UserKey] = user ?? throw Problems.Unauthorized();
        return user;
    }
}
