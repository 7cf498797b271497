namespace Cetus.ApiServer.Security;

/// <summary>The outcome of checking a client certificate: the user it authenticates, or why it was rejected.</summary>
public sealed record ClientCertificateResult
{
    private ClientCertificateResult(UserInfo? user, string? rejection)
    {
        User = user;
        Rejection = rejection;
    }

    /// <summary>The user (CN) and groups (O values); null when rejected.</summary>
    public UserInfo? User { get; }

    /// <summary>Why the certificate was rejected; null when accepted.</summary>
    public string? Rejection { get; }

    /// <summary>True when the certificate authenticates <see cref="User"/>.</summary>
    public bool IsAuthenticated => User is not null;

    /// <summary>An accepted certificate.</summary>
    public static ClientCertificateResult Accepted(UserInfo user) => new(user, null);

    /// <summary>A rejected certificate.</summary>
    public static ClientCertificateResult Rejected(string reason) => new(null, reason);
}
