namespace Cetus.ApiServer.Security;

/// <summary>Who an authenticated request comes from: the user name, its uid (empty when unknown) and its groups.</summary>
/// <param name="Name">The user name, e.g. <c>system:admin</c> or <c>system:node:worker-1</c>.</param>
/// <param name="Uid">A unique id of the user; empty for client certificates, which carry none.</param>
/// <param name="Groups">The groups the user belongs to, e.g. <c>system:masters</c>.</param>
public sealed record UserInfo(string Name, string Uid, IReadOnlyList<string> Groups);
