namespace Cetus.ApiServer.Security;

/// <summary>Who an authenticated request comes from: the user name, its uid (empty when unknown) and its groups.</summary>
/// <param name="Name">The user name, e.g. <c>system:admin</c> or <c>system:node:worker-1</c>.</param>
/// <param name="Uid">A unique id of the user; empty for client certificates, which carry none.</param>
/// <param name="Groups">The groups the user belongs to, e.g. <c>system:masters</c>.</param>
public sealed record UserInfo(string Name, string Uid, IReadOnlyList<string> Groups)
{
    /// <summary>Extra attributes of the user (from Impersonate-Extra-* headers), by key.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Extra { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>The user with <c>system:authenticated</c> among its groups, as every authenticated user has it upstream.</summary>
    public UserInfo Authenticated() =>
        Groups.Contains(AuthenticatedGroup) || Groups.Contains("system:unauthenticated") ? this : this with { Groups = [.. Groups, AuthenticatedGroup] };

    /// <summary>The group every authenticated user belongs to.</summary>
    public const string AuthenticatedGroup = "system:authenticated";
}
