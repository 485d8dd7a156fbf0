namespace VideoConv.Cli.Yaml;

/// <summary>"did you mean …?" for unknown keys and names, by edit distance.</summary>
public static class NameSuggestions
{
    /// <summary>The closest candidates (at most three), or none when nothing is near enough to be a typo.</summary>
    public static IReadOnlyList<string> Closest(string wrong, IEnumerable<string> candidates)
    {
        // Ranked by the distance with case and separators ignored, so 'sobelx' and 'Sobel_X' both find 'sobel-x'.
        var scored = candidates
            .Distinct()
            .Select(c => (Name: c, Distance: Distance(wrong.ToLowerInvariant(), c.ToLowerInvariant()), Loose: Distance(Loosen(wrong), Loosen(c))))
            .Where(c => c.Distance <= Math.Max(2, wrong.Length / 3) && c.Distance < Math.Max(wrong.Length, c.Name.Length))
            .OrderBy(c => c.Loose).ThenBy(c => c.Distance).ThenBy(c => c.Name, StringComparer.Ordinal)
            .ToList();
        if (scored.Count == 0) return [];
        return scored.Where(c => c.Loose == scored[0].Loose && c.Distance == scored[0].Distance).Take(3).Select(c => c.Name).ToList();
    }

    /// <summary>"; did you mean 'x'?" (each candidate written after <paramref name="prefix"/>, e.g. "--") or an empty string.</summary>
    public static string Hint(string wrong, IEnumerable<string> candidates, string prefix = "")
    {
        var best = Closest(wrong, candidates);
        return best.Count == 0 ? "" : $"; did you mean {string.Join(" or ", best.Select(b => $"'{prefix}{b}'"))}?";
    }

    private static string Loosen(string s) => new(s.ToLowerInvariant().Where(char.IsLetterOrDigit).ToArray());

    /// <summary>Optimal string alignment distance (Levenshtein plus adjacent transpositions).</summary>
    public static int Distance(string a, string b)
    {
        if (a.Length > 64 || b.Length > 64) return int.MaxValue / 2; // names are short; a 1 MB key gets no suggestion
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }
}
