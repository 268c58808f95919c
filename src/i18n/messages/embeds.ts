import { defineMessages } from "./domain.ts";

/**
 * The photo page's Share panel. oEmbed answers and link previews (OpenGraph, schema.org) stay as
 * they are: they speak to other sites' software, not to the reader.
 */
export const embedsMessages = defineMessages({
  en: {
    "embeds.share": "Share",
    "embeds.notOpenToEveryone": "Only people allowed to see this photo can open its page, but these image addresses show it to whoever has them.",
    "embeds.everySize": "Every size",
    "embeds.squareSize": "square {width} {format}",
    "embeds.size": "{width} × {height} {format}",
    "embeds.byline": "{title} by {username}",
  },
  ar: {
    "embeds.share": "مشاركة",
    "embeds.notOpenToEveryone": "لا يفتح صفحة هذه الصورة إلا من يُسمح لهم برؤيتها، لكن عناوين الصور هذه تُظهرها لكل من يملكها.",
    "embeds.everySize": "كل المقاسات",
    "embeds.squareSize": "مربع {width} {format}",
    "embeds.size": "{width} × {height} {format}",
    "embeds.byline": "{title} بعدسة {username}",
  },
  de: {
    "embeds.share": "Teilen",
    "embeds.notOpenToEveryone": "Nur wer dieses Foto sehen darf, kann seine Seite öffnen – diese Bildadressen zeigen es aber allen, die sie haben.",
    "embeds.everySize": "Alle Größen",
    "embeds.squareSize": "quadratisch {width} {format}",
    "embeds.size": "{width} × {height} {format}",
    "embeds.byline": "{title} von {username}",
  },
  es: {
    "embeds.share": "Compartir",
    "embeds.notOpenToEveryone": "Solo quienes pueden ver esta foto abren su página, pero estas direcciones de imagen la muestran a cualquiera que las tenga.",
    "embeds.everySize": "Todos los tamaños",
    "embeds.squareSize": "cuadrada {width} {format}",
    "embeds.size": "{width} × {height} {format}",
    "embeds.byline": "{title}, de {username}",
  },
  fr: {
    "embeds.share": "Partager",
    "embeds.notOpenToEveryone": "Seules les personnes autorisées à voir cette photo peuvent ouvrir sa page, mais ces adresses d’image la montrent à quiconque les possède.",
    "embeds.everySize": "Toutes les tailles",
    "embeds.squareSize": "carré {width} {format}",
    "embeds.size": "{width} × {height} {format}",
    "embeds.byline": "{title} par {username}",
  },
  ja: {
    "embeds.share": "共有",
    "embeds.notOpenToEveryone": "この写真のページを開けるのは閲覧を許可された人だけですが、これらの画像アドレスを知っている人は誰でも写真を見られます。",
    "embeds.everySize": "すべてのサイズ",
    "embeds.squareSize": "正方形 {width} {format}",
    "embeds.size": "{width} × {height} {format}",
    "embeds.byline": "{title}（撮影：{username}）",
  },
});
