import { defineMessages } from "./domain.ts";

export const exploreMessages = defineMessages({
  en: {
    "explore.title": "Explore",
    "explore.intro": "The most interesting public photos of the last seven days, ranked by faves, comments and views.",
    "explore.introWithDay": "The most interesting public photos of the last seven days, ranked by faves, comments and views (ranking of {day}).",
    "explore.more": "More →",
    "explore.viewCount": "{count, plural, one {# view} other {# views}}",
  },
  ar: {
    "explore.title": "استكشف",
    "explore.intro": "أكثر الصور العامة إثارة للاهتمام في الأيام السبعة الأخيرة، مرتبة حسب التفضيلات والتعليقات والمشاهدات.",
    "explore.introWithDay": "أكثر الصور العامة إثارة للاهتمام في الأيام السبعة الأخيرة، مرتبة حسب التفضيلات والتعليقات والمشاهدات (ترتيب {day}).",
    "explore.more": "المزيد ←",
    "explore.viewCount": "{count, plural, zero {لا مشاهدات} one {مشاهدة واحدة} two {مشاهدتان} few {# مشاهدات} many {# مشاهدة} other {# مشاهدة}}",
  },
  de: {
    "explore.title": "Entdecken",
    "explore.intro": "Die interessantesten öffentlichen Fotos der letzten sieben Tage, gereiht nach Favoriten, Kommentaren und Aufrufen.",
    "explore.introWithDay": "Die interessantesten öffentlichen Fotos der letzten sieben Tage, gereiht nach Favoriten, Kommentaren und Aufrufen (Rangliste vom {day}).",
    "explore.more": "Mehr →",
    "explore.viewCount": "{count, plural, one {# Aufruf} other {# Aufrufe}}",
  },
  es: {
    "explore.title": "Explorar",
    "explore.intro": "Las fotos públicas más interesantes de los últimos siete días, ordenadas por favoritos, comentarios y visitas.",
    "explore.introWithDay": "Las fotos públicas más interesantes de los últimos siete días, ordenadas por favoritos, comentarios y visitas (clasificación del {day}).",
    "explore.more": "Más →",
    "explore.viewCount": "{count, plural, one {# visita} many {# visitas} other {# visitas}}",
  },
  fr: {
    "explore.title": "Explorer",
    "explore.intro": "Les photos publiques les plus intéressantes des sept derniers jours, classées par favoris, commentaires et vues.",
    "explore.introWithDay": "Les photos publiques les plus intéressantes des sept derniers jours, classées par favoris, commentaires et vues (classement du {day}).",
    "explore.more": "Plus →",
    "explore.viewCount": "{count, plural, one {# vue} many {# de vues} other {# vues}}",
  },
  ja: {
    "explore.title": "探す",
    "explore.intro": "この 7 日間で最も注目を集めた公開写真。お気に入り、コメント、閲覧数で順位付けしています。",
    "explore.introWithDay": "この 7 日間で最も注目を集めた公開写真。お気に入り、コメント、閲覧数で順位付けしています（{day} の順位）。",
    "explore.more": "もっと見る →",
    "explore.viewCount": "{count, plural, other {閲覧 # 回}}",
  },
});
