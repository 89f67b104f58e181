using System.Globalization;

namespace BrkCoin.Tests.Engine;

/// <summary>
/// Reads redis-cli's quoted (<c>--no-raw</c>) output, where binary values come escaped
/// (<c>"\x0f\n…"</c>): the only form in which raw coin bytes survive a text pipe.
/// </summary>
public static class RedisCliReply
{
    /// <summary>Field → value pairs of an HGETALL reply.</summary>
    public static Dictionary<string, byte[]> Pairs(string output)
    {
        var items = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.TrimEnd('\r'))
            .Where(line => line.Contains('"', StringComparison.Ordinal))
            .Select(Unquote)
            .ToList();
        var pairs = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < items.Count; i += 2)
        {
            pairs[System.Text.Encoding.ASCII.GetString(items[i])] = items[i + 1];
        }

        return pairs;
    }

    private static byte[] Unquote(string line)
    {
        var start = line.IndexOf('"', StringComparison.Ordinal) + 1;
        var end = line.LastIndexOf('"');
        var bytes = new List<byte>();
        for (var i = start; i < end; i++)
        {
            if (line[i] != '\\')
            {
                bytes.Add((byte)line[i]);
                continue;
            }

            var escape = line[++i];
            switch (escape)
            {
                case 'x':
                    bytes.Add(byte.Parse(line.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    i += 2;
                    break;
                case 'n': bytes.Add((byte)'\n'); break;
                case 'r': bytes.Add((byte)'\r'); break;
                case 't': bytes.Add((byte)'\t'); break;
                case 'a': bytes.Add(7); break;
                case 'b': bytes.Add(8); break;
                default: bytes.Add((byte)escape); break;
            }
        }

        return bytes.ToArray();
    }
}
