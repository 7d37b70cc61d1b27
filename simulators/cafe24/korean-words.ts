/**
 * Word lists for believable Korean shop data: product names, buyer names, addresses. Data only.
 * The buyer fields are personal data on purpose: the real API sends them (reference §7.1), and the connector
 * must drop them before anything is stored.
 */

export const SURNAMES = ['김', '이', '박', '최', '정', '강', '조', '윤', '장', '임', '한', '오', '서', '신', '권', '황', '안', '송', '류', '홍'] as const;
export const SURNAMES_LATIN = ['kim', 'lee', 'park', 'choi', 'jung', 'kang', 'cho', 'yoon', 'jang', 'lim', 'han', 'oh', 'seo', 'shin', 'kwon', 'hwang', 'ahn', 'song', 'ryu', 'hong'] as const;
export const GIVEN_NAMES = [
  ['민준', 'minjun'], ['서연', 'seoyeon'], ['도윤', 'doyun'], ['지우', 'jiwoo'], ['하은', 'haeun'], ['서준', 'seojun'],
  ['예은', 'yeeun'], ['시우', 'siwoo'], ['지민', 'jimin'], ['수아', 'sua'], ['주원', 'juwon'], ['하린', 'harin'],
  ['지호', 'jiho'], ['채원', 'chaewon'], ['현우', 'hyunwoo'], ['유진', 'yujin'], ['은서', 'eunseo'], ['건우', 'gunwoo'],
  ['다은', 'daeun'], ['준서', 'junseo'], ['소율', 'soyul'], ['예준', 'yejun'], ['윤서', 'yunseo'], ['민서', 'minseo'],
] as const;
export const EMAIL_DOMAINS = ['naver.com', 'gmail.com', 'daum.net', 'kakao.com', 'hanmail.net', 'nate.com'] as const;

/** Road-name addresses: [province/city, district, road, zipcode prefix]. */
export const ADDRESSES = [
  ['서울특별시', '강남구', '테헤란로', '061'], ['서울특별시', '마포구', '월드컵북로', '039'],
  ['서울특별시', '송파구', '올림픽로', '055'], ['서울특별시', '성동구', '왕십리로', '047'],
  ['경기도', '성남시 분당구', '판교역로', '134'], ['경기도', '수원시 영통구', '광교중앙로', '166'],
  ['경기도', '고양시 일산동구', '중앙로', '104'], ['부산광역시', '해운대구', '해운대로', '480'],
  ['인천광역시', '연수구', '송도과학로', '219'], ['대구광역시', '수성구', '달구벌대로', '421'],
  ['광주광역시', '서구', '상무중앙로', '619'], ['대전광역시', '유성구', '대학로', '341'],
  ['울산광역시', '남구', '삼산로', '446'], ['제주특별자치도', '제주시', '연삼로', '632'],
] as const;
export const ADDRESS_DETAILS = ['101동 1203호', '2층', '302호', '빌라 201호', '오피스텔 1105호', '상가 1층', '5동 504호'] as const;
export const SHIPPING_MESSAGES = ['', '부재 시 문 앞에 놓아주세요.', '배송 전 연락 바랍니다.', '경비실에 맡겨주세요.', ''] as const;

/** The category tree of a small fashion shop: top-level name → child names. */
export const CATEGORY_TREE = [
  ['아우터', ['코트', '자켓', '가디건', '패딩']],
  ['상의', ['티셔츠', '셔츠/블라우스', '니트', '맨투맨/후드']],
  ['하의', ['슬랙스', '데님', '스커트', '트레이닝']],
  ['원피스', ['미니 원피스', '롱 원피스']],
  ['가방/잡화', ['가방', '모자', '양말', '액세서리']],
] as const;

/** Item nouns per leaf category, with a price band in KRW (low, high). */
export const ITEMS_BY_CATEGORY: Record<string, readonly [readonly string[], number, number]> = {
  '코트': [['울 코트', '핸드메이드 코트', '트렌치 코트', '롱 코트'], 89_000, 259_000],
  '자켓': [['트위드 자켓', '데님 자켓', '블레이저', '레더 자켓'], 59_000, 189_000],
  '가디건': [['울 가디건', '크롭 가디건', '브이넥 가디건'], 29_000, 79_000],
  '패딩': [['숏 패딩', '롱 패딩', '경량 패딩 조끼'], 79_000, 229_000],
  '티셔츠': [['반팔 티셔츠', '긴팔 티셔츠', '크롭 티셔츠', '헨리넥 티셔츠'], 12_900, 39_000],
  '셔츠/블라우스': [['린넨 셔츠', '옥스포드 셔츠', '프릴 블라우스', '스트라이프 셔츠'], 25_900, 69_000],
  '니트': [['꽈배기 니트', '라운드 니트', '터틀넥 니트', '캐시미어 니트'], 29_900, 129_000],
  '맨투맨/후드': [['기모 맨투맨', '오버핏 후드티', '후드 집업'], 25_900, 59_000],
  '슬랙스': [['와이드 슬랙스', '세미와이드 슬랙스', '밴딩 슬랙스'], 29_900, 59_000],
  '데님': [['스트레이트 데님', '부츠컷 데님', '와이드 데님'], 35_900, 79_000],
  '스커트': [['플리츠 스커트', 'A라인 스커트', '롱 스커트'], 25_900, 59_000],
  '트레이닝': [['조거 팬츠', '트레이닝 세트'], 25_900, 69_000],
  '미니 원피스': [['플라워 미니 원피스', '셔링 미니 원피스'], 35_900, 79_000],
  '롱 원피스': [['셔츠 롱 원피스', '니트 롱 원피스', '린넨 롱 원피스'], 45_900, 119_000],
  '가방': [['숄더백', '크로스백', '에코백', '토트백'], 19_900, 149_000],
  '모자': [['볼캡', '버킷햇', '비니'], 12_900, 35_000],
  '양말': [['무지 양말 3종 세트', '니삭스'], 5_900, 15_900],
  '액세서리': [['실버 귀걸이', '진주 목걸이', '헤어 집게핀', '가죽 벨트'], 7_900, 49_000],
};

export const STYLE_WORDS = ['데일리', '베이직', '오버핏', '슬림핏', '루즈핏', '빈티지', '모던', '클래식', '미니멀', '썸머', '윈터', '프리미엄'] as const;
export const NAME_TAGS = ['', '', '', '[당일발송] ', '[주문폭주] ', '[MADE] ', '[1+1] '] as const;
export const COLORS = [
  ['블랙', 'Black'], ['화이트', 'White'], ['아이보리', 'Ivory'], ['베이지', 'Beige'], ['네이비', 'Navy'],
  ['그레이', 'Gray'], ['차콜', 'Charcoal'], ['카키', 'Khaki'], ['브라운', 'Brown'], ['핑크', 'Pink'], ['스카이블루', 'Sky blue'],
] as const;
export const SIZES = ['S', 'M', 'L', 'XL'] as const;
export const FREE_SIZE = 'FREE';
