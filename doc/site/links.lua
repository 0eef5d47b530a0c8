-- SPDX-License-Identifier: MIT
-- pandoc filter for the HTML site (doc/site/gen-html.py): rewrites links
-- between the Markdown pages to the generated pages (README.md ->
-- index.html, doc/NAME.md -> NAME.html, anchors kept) and turns links to
-- other files of the source tree, which the site does not contain, into
-- their plain text. The page's folder in the source tree comes in as the
-- metadata field udma_srcdir ("." or "doc").

local srcdir = "."

local function normalize(path)
  local parts = {}
  for part in path:gmatch("[^/]+") do
    if part == ".." then
      if #parts > 0 and parts[#parts] ~= ".." then
        table.remove(parts)
      else
        table.insert(parts, part)
      end
    elseif part ~= "." then
      table.insert(parts, part)
    end
  end
  return table.concat(parts, "/")
end

function Meta(meta)
  if meta.udma_srcdir then
    srcdir = pandoc.utils.stringify(meta.udma_srcdir)
  end
end

function Link(el)
  local target = el.target
  if target:match("^%a[%w+.-]*:") or target:match("^#") or target:match("^/") then
    return nil -- URL, same-page anchor or absolute path: unchanged
  end
  local path, anchor = target:match("^([^#]*)(#?.*)$")
  local resolved = normalize(srcdir .. "/" .. path)
  if resolved == "README.md" then
    el.target = "index.html" .. anchor
    return el
  end
  local page = resolved:match("^doc/([^/]+)%.md$")
  if page then
    el.target = page .. ".html" .. anchor
    return el
  end
  if resolved:match("^doc/[^/]+%.png$") then
    el.target = resolved:sub(5)
    return el
  end
  return el.content -- a source file: not part of the site
end

return { { Meta = Meta }, { Link = Link } }
