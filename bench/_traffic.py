"""The chat traffic the intake benches send: ordinary customer-service questions, and the words of
people in danger, in Chinese as the platform's buyers write them. Plain Python, no Django."""

import random
from datetime import datetime

# fmt: off
FILL = {
    "product": ["连衣裙", "运动鞋", "羽绒服", "保温杯", "蓝牙耳机", "电饭煲", "儿童书包", "手机壳", "充电宝",
                "四件套", "洗发水", "猫粮", "台灯", "空气炸锅", "行李箱", "榨汁机", "扫地机器人", "电动牙刷",
                "登山包", "茶叶礼盒"],
    "garment": ["连衣裙", "羽绒服", "牛仔裤", "卫衣", "T恤", "衬衫", "外套", "毛衣"],
    "size": ["S", "M", "L", "XL", "XXL", "38", "40", "42"],
    "courier": ["顺丰", "中通", "圆通", "韵达", "申通", "京东物流", "邮政", "极兔"],
    "color": ["黑色", "白色", "米色", "藏青色", "卡其色", "灰色"],
    "city": ["北京市朝阳区", "上海市浦东新区", "广州市天河区", "成都市武侯区", "杭州市西湖区"],
    "fruit": ["小番茄", "草莓", "苹果", "葡萄", "黄瓜"],
}
# fmt: on

# Most traffic matches no term. The last rows hold weak terms (今晚, 付款, 杀虫剂, 绳子) or idioms
# with a hot word (跳楼价, 想死你了, 农药残留): they cost the scanner and the alert service a look,
# as real traffic does, and must raise nothing. (Money already sent by transfer, "已经转账了", is no
# longer among them: paying a seller by transfer is paying off the platform, and the fraud desk
# now looks at it.)
ORDINARY = [
    "请问什么时候发货?",
    "快递到哪了,{days}天了还没到",
    "{courier}显示已签收,但是我没收到包裹",
    "这件{garment}有{size}码吗?",
    "我身高{height},{garment}穿什么码合适?",
    "{product}质量有问题,可以退货吗?",
    "申请退款{days}天了,什么时候到账?",
    "能不能换个颜色,我想要{color}的",
    "{product}怎么用?说明书看不懂",
    "发票怎么开?抬头写公司名称可以吗",
    "地址填错了,能改成{city}吗?",
    "有没有{color}的{product},想买{n}件",
    "{product}什么时候补货?",
    "包装破了,{product}有划痕,怎么处理",
    "收到的{product}和图片颜色不一样",
    "七天无理由退货运费谁出?",
    "验证码收不到怎么办",
    "退货地址发我一下",
    "衣服收到了,谢谢",
    "今晚能发货吗?",
    "已经付款了,麻烦尽快发货",
    "这款杀虫剂对蟑螂有用吗",
    "晾衣绳子有多长的",
    "{product}今天跳楼价吗?还有货吗",
    "笑死,快递员把{product}放到邻居家门口了",
    "客服小姐姐想死你了,上次的{product}很好用",
    "这批{fruit}有农药残留检测报告吗?",
    "烧烤木炭什么时候发货,周末要用",
]

# A person in danger writes one or two messages; the second joins the alert the first raised.
STORIES = {
    "life": [
        ["我不想活了,农药已经买好了"],
        ["我不想活了,农药已经买好了,今晚就喝"],
        ["安眠药攒了一整瓶"],
        ["活不下去了", "安眠药攒了一整瓶"],
        ["活着好累,撑不下去了", "安眠药攒了一整瓶,今晚就吃"],
    ],
    "fraud": [
        ["他说2亿游戏币卖1.3万,我转到对方账户后就联系不上了"],
        ["游戏币的钱转到对方账户后联系不上了,被骗了一万三"],
        ["刷单返利的客服让我先垫付3000元,现在联系不上了"],
        ["对方说是公安局的,让我把钱转到安全账户"],
        ["卖游戏币的人让我加微信私下交易", "游戏币的钱转到对方账户后联系不上了"],
    ],
}


def ordinary_text(rng: random.Random) -> str:
    """One ordinary question, its slots filled."""
    numbers = {"days": rng.randint(2, 15), "height": rng.randint(150, 190), "n": rng.randint(2, 10)}
    return rng.choice(ORDINARY).format(**numbers, **{slot: rng.choice(words) for slot, words in FILL.items()})


def chat_item(rng: random.Random, *, external_id: str, buyer: str, text: str, sent_at: datetime) -> dict:
    """One message as the intake API takes it: a chat line (a tenth complaints) in one of 200 shops,
    three in ten about an order the platform has not pushed yet (kept as a reference only)."""
    item = {
        "source": "complaint" if rng.random() < 0.1 else "chat",
        "channel": rng.choice(["app", "web", "mini-program"]),
        "external_id": external_id,
        "buyer_ref": buyer,
        "merchant_ref": f"shop-{rng.randrange(200)}",
        "text": text,
        "sent_at": sent_at.isoformat(timespec="seconds"),
    }
    if rng.random() < 0.3:
        item["order_ref"] = f"{external_id}-order"
    return item
