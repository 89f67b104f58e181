using System.Security.Cryptography;

namespace BrkCoin.Mining;

/// <summary>What makes a hash a coin, and how any coin in the wallet is checked.</summary>
public static class CoinRule
{
    /// <summary>A SHA-256 in lowercase hex: 64 characters.</summary>
    public const int HexHashLength = 64;

    /// <summary>The original's rule: a hash is a coin when its hex form starts with '0' (1 in 16).</summary>
    public static bool IsCoin(string hexHash) => IsHexHash(hexHash) && hexHash[0] == '0';

    /// <summary>True when the text is exactly a lowercase hex SHA-256.</summary>
    public static bool IsHexHash(string? text) =>
        text is { Length: HexHashLength } && text.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    /// <summary>A wallet entry is genuine when its value hashes to its field and the field is a coin.</summary>
    public static bool Verifies(string hexHash, ReadOnlySpan<byte> randomBytes) =>
        IsCoin(hexHash) && Convert.ToHexStringLower(SHA256.HashData(randomBytes)) == hexHash;
}
